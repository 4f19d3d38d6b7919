// Runs and previews of workflow definitions, asked of the workers: only a worker's app knows a
// definition's code. The request is a row that a worker defining the workflow answers (see
// worker/workflow-requests.ts and the workflow_runs migration); the answer is taken, and the
// row deleted, when it comes or when the wait is over, so a run nobody waited for is never
// deferred later.
import { ManaError, type ErrorCode } from '../queue/errors.ts'
import type { TaskArgs } from '../queue/task.ts'
import type { Queryable } from '../queue/queryable.ts'

/** A job a run would defer, as a preview shows it. */
export interface PlannedJob {
  key: string
  task: string
  args: TaskArgs
  /** Keys of other planned jobs, and ids of existing jobs. */
  dependsOn: Array<string | number>
  queue: string | null
  priority: number
}

export interface WorkflowRunIds {
  workflowId: number
  /** Each step's job id, by its key. */
  jobs: Record<string, number>
}

/** What a run would defer: its first jobs (at most previewedJobs, in the order of their steps), and how many in all. */
export interface WorkflowPreview {
  jobs: PlannedJob[]
  total: number
}

/** The most jobs a preview lists (a run may have 10,000: too many to send and draw). */
export const previewedJobs = 500

/**
 * What a worker answers a request with (worker/workflow-requests.ts): a run's workflow and job
 * ids, a preview (without its total from workers before it was capped), or a refusal.
 */
export type WorkflowAnswer =
  | { workflow_id: number; jobs: Record<string, number> }
  | { jobs: PlannedJob[]; total?: number }
  | { error: { code: ErrorCode; message: string } }

/** How long a request waits for a worker. */
export const workflowAnswerTimeoutMs = 10_000

/** How a requester waits: for how long, and until what interrupts it (then the request is withdrawn). */
export interface WaitOptions {
  timeoutMs?: number
  signal?: AbortSignal
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done)
  })

/**
 * Requests, waits for the answer and takes it (the request row is deleted). The request expires
 * when the wait ends, so a worker never answers it later; taken when interrupted, it is withdrawn
 * (or, when a worker had answered already, its answer is returned all the same).
 */
async function ask(db: Queryable, name: string, input: TaskArgs, preview: boolean, { timeoutMs = workflowAnswerTimeoutMs, signal }: WaitOptions): Promise<WorkflowAnswer> {
  const [{ id }] = (await db.query<{ id: string }>('SELECT manana_request_workflow($1, $2::jsonb, $3, $4) AS id', [name, JSON.stringify(input), preview, timeoutMs / 1000])) as [{ id: string }]
  const deadline = Date.now() + timeoutMs
  for (let wait = 10; Date.now() < deadline && !signal?.aborted; wait = Math.min(wait * 2, 200)) {
    await pause(Math.min(wait, deadline - Date.now()), signal)
    const [row] = await db.query<{ answered: boolean }>('SELECT answer IS NOT NULL AS answered FROM manana_workflow_requests WHERE id = $1', [id])
    if (row?.answered) break
  }
  const [{ answer }] = (await db.query<{ answer: WorkflowAnswer | null }>('SELECT manana_take_workflow_answer($1) AS answer', [id])) as [{ answer: WorkflowAnswer | null }]
  if (!answer && signal?.aborted) throw new ManaError('workflow_unavailable', `the request to run workflow ${name} was withdrawn before a worker answered it: nothing was deferred`)
  if (!answer) throw new ManaError('workflow_unavailable', `no worker that defines workflow ${name} answered within ${timeoutMs / 1000} s: is one running?`)
  if ('error' in answer) throw new ManaError(answer.error.code, answer.error.message)
  return answer
}

/** The jobs a run of `name` with `input` would defer (the first previewedJobs), with their edges; nothing is deferred. */
export async function previewWorkflow(db: Queryable, name: string, input: TaskArgs, wait: WaitOptions = {}): Promise<WorkflowPreview> {
  const { jobs, total } = (await ask(db, name, input, true, wait)) as { jobs: PlannedJob[]; total?: number }
  return { jobs, total: total ?? jobs.length }
}

/** Defers a run of `name` with `input` (through a worker that defines it). */
export async function runWorkflow(db: Queryable, name: string, input: TaskArgs, wait: WaitOptions = {}): Promise<WorkflowRunIds> {
  const answer = (await ask(db, name, input, false, wait)) as { workflow_id: number; jobs: Record<string, number> }
  return { workflowId: answer.workflow_id, jobs: answer.jobs }
}
