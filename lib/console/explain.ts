// "Why is this job not running?": the facts come from manana_explain_job(); this says them.
import type { JobStatus } from '../queue/job.ts'
import type { ConsoleContext } from './context.ts'
import { sentenceTime } from './time.ts'

type Reason =
  /** `spawned`: parents spawned together (a map step's items), counted by their key. */
  | { kind: 'waiting_on_parents'; parents: Array<{ id: number; task: string; status: JobStatus }>; spawned: Array<{ key: string; waiting: number; of: number }> }
  | { kind: 'scheduled'; at: string }
  | { kind: 'lock_taken'; lock: string; job_id: number; job_status: JobStatus }
  | { kind: 'no_worker'; queue: string }
  | { kind: 'no_worker_with_task'; queue: string; task: string }
  | { kind: 'queue_paused'; queue: string; since: string; by: string | null; reason?: string | null }
  | { kind: 'ready' }
  | { kind: 'running'; worker_id: number | null; abort_requested: boolean }
  | { kind: 'finished' }
  | { kind: 'rule'; rule: 'all_succeeded' | 'any_failed' }
  | { kind: 'cancelled_by_rule'; rule: 'all_succeeded' | 'any_failed'; message: string }

export interface Explanation {
  status: JobStatus
  reasons: Reason[]
  /** The facts as sentences, for a person. */
  sentences: string[]
}

export async function explain({ db }: { db: ConsoleContext['db'] }, id: number): Promise<Explanation> {
  const [row] = await db.query<{ explanation: { status: JobStatus; reasons: Reason[] } }>(
    'SELECT manana_explain_job($1) AS explanation',
    [id],
  )
  const { status, reasons } = row!.explanation
  return { status, reasons, sentences: reasons.map((reason) => sentenceOf(status, reason)) }
}

function jobList(parents: Array<{ id: number; task: string; status: JobStatus }>): string {
  const named = parents.slice(0, 5).map((parent) => `${parent.id} (${parent.task}, ${parent.status})`)
  const more = parents.length > 5 ? ` and ${parents.length - 5} more` : ''
  return named.length === 1 ? `job ${named[0]}` : `jobs ${named.join(', ')}${more}`
}

const utc = (at: string) => sentenceTime(new Date(at))

/** A reason as a sentence, for a person. */
export function sentenceOf(status: JobStatus, reason: Reason): string {
  switch (reason.kind) {
    case 'waiting_on_parents': {
      const items = reason.spawned.map((group) => `${group.waiting.toLocaleString('en')} of ${group.of.toLocaleString('en')} ${group.key} items`)
      const named = reason.parents.length ? `parent ${jobList(reason.parents)}` : ''
      if (!items.length) return `Waiting on ${named} to finish.`
      return `Waiting for ${items.join(', ')}${named ? `, and on ${named},` : ''} to finish.`
    }
    case 'scheduled':
      return `Scheduled for ${utc(reason.at)}.`
    case 'lock_taken':
      return reason.job_status === 'doing'
        ? `Lock "${reason.lock}" is held by job ${reason.job_id}, which is running.`
        : `Job ${reason.job_id} holds lock "${reason.lock}" ahead of this one and runs first.`
    case 'no_worker':
      return `No live worker serves queue "${reason.queue}".`
    case 'no_worker_with_task':
      return `No live worker has task "${reason.task}": the workers on queue "${reason.queue}" run other tasks. Start a worker whose app defines it.`
    case 'queue_paused':
      return `Its queue "${reason.queue}" is paused (since ${utc(reason.since)}${reason.by ? `, by ${reason.by}` : ''}${reason.reason ? `: “${reason.reason}”` : ''}): no worker starts its jobs until it is resumed.`
    case 'ready':
      return 'Ready: the next free worker on its queue takes it.'
    case 'running':
      return `Running on worker ${reason.worker_id ?? '(unknown)'}${reason.abort_requested ? '; an abort was requested' : ''}.`
    case 'finished':
      return `It has finished: ${status}.`
    case 'rule':
      return reason.rule === 'all_succeeded'
        ? 'It runs only if all its parents succeed (run_when all_succeeded): a parent that does not cancels it.'
        : 'It runs only if one of its parents does not succeed (run_when any_failed), once they all have ended.'
    case 'cancelled_by_rule':
      return `It was ${reason.message}.`
  }
}
