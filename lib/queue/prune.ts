// Deleting old jobs in batches, each its own short transaction (manana_prune_jobs holds the rule:
// which jobs, and never one an unfinished child still needs), so that workers and the console go
// on at their speed meanwhile. Used by `manana prune`, by a worker for `app.retention(…)`, and by
// the console's Admin page.
import { ManaError } from './errors.ts'
import type { JobStatus } from './job.ts'
import type { Queryable } from './queryable.ts'

export type FinishedStatus = Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled' | 'aborted'>
export const finishedStatuses = ['succeeded', 'failed', 'cancelled', 'aborted'] as const satisfies readonly FinishedStatus[]

export interface RetentionRule {
  /** Jobs that ended longer ago than this (by their last event): seconds, or `7d`, `12h`, `30m`, `45s`. */
  olderThan: number | string
  /** Which finished jobs (default: all four finished statuses). */
  statuses?: FinishedStatus[]
  /** Only this queue's (default: every queue). */
  queue?: string
}

export interface PruneOptions extends RetentionRule {
  /** Jobs looked at per transaction (default 10,000). */
  batch?: number
  /** Count what would be deleted; delete nothing. */
  dryRun?: boolean
  /** Told after each batch, with the running total. */
  onBatch?: (deleted: number) => void
}

const unitSeconds = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const

/** Seconds from `7d`, `12h`, `30m`, `45s`, `2w` or a number of seconds. */
export function ageSeconds(age: number | string): number {
  if (typeof age === 'number') {
    if (Number.isFinite(age) && age >= 0) return age
  } else {
    const match = /^(\d+(?:\.\d+)?)([smhdw])?$/.exec(age.trim())
    if (match) return Number(match[1]) * unitSeconds[(match[2] ?? 's') as keyof typeof unitSeconds]
  }
  throw new ManaError('invalid_retention', `an age is a number of seconds or a duration such as 7d, 12h, 30m or 45s; got ${JSON.stringify(age)}`)
}

/** The rule checked before anything is deleted (invalid_retention): an age, finished statuses, a queue name. */
export function checkedRule(rule: RetentionRule): { seconds: number; statuses: FinishedStatus[]; queue: string | null } {
  const statuses = rule.statuses ?? [...finishedStatuses]
  const unknown = statuses.find((status) => !(finishedStatuses as readonly string[]).includes(status))
  if (unknown !== undefined || !statuses.length) {
    throw new ManaError('invalid_retention', `only finished jobs are deleted: statuses among ${finishedStatuses.join(', ')}; got ${unknown ?? 'none'}`)
  }
  return { seconds: ageSeconds(rule.olderThan), statuses, queue: rule.queue ?? null }
}

/** Deletes (or, with dryRun, counts) the jobs the rule matches, batch by batch; the number deleted. */
export async function pruneJobs(db: Queryable, options: PruneOptions): Promise<number> {
  const { seconds, statuses, queue } = checkedRule(options)
  const batch = options.batch ?? 10_000
  if (!Number.isInteger(batch) || batch < 1) throw new ManaError('invalid_retention', `a batch is a whole number of jobs, 1 or more; got ${batch}`)
  let deleted = 0
  for (let after: string | null = '0'; after !== null; ) {
    const [row]: Array<{ deleted: string; last_id: string | null }> = await db.query(
      'SELECT deleted, last_id FROM manana_prune_jobs($1, $2::procrastinate_job_status[], $3, $4, $5, $6)',
      [seconds, statuses, queue, after, batch, options.dryRun ?? false],
    )
    deleted += Number(row!.deleted)
    after = row!.last_id
    options.onBatch?.(deleted)
  }
  return deleted
}
