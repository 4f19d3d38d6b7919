// Pausing and resuming queues: no worker (Python's included) starts a job of a paused queue;
// jobs are still deferred into it and running ones go on. The rule is in the fetch
// (migration 20261201600000_paused_queues); this only calls its functions.
import { ManaError } from './errors.ts'
import { jsonProblem } from './json-values.ts'
import type { Queryable } from './queryable.ts'

export interface PausedQueue {
  queue: string
  pausedAt: Date
  pausedBy: string | null
  /** Why, as the one who paused it said (at most 500 characters). */
  reason: string | null
}

/** What PostgreSQL could not even take as a queue name; the rule itself is manana_pause_queue's. */
function checkName(queue: string): void {
  const problem = typeof queue !== 'string' || queue.length === 0 || queue.length > 128 ? 'a queue name has 1 to 128 characters' : jsonProblem({ queue }, 'queue')
  if (problem) throw new ManaError('invalid_queue', problem)
}

export class QueueManager {
  constructor(private readonly db: Queryable) {}

  /**
   * Pauses a queue; false when it was paused already. `by` says who, for the console. A queue
   * that no job, task or worker knows is refused (`unknown_queue`, a typo pauses nothing real)
   * unless `force`d. `reason`: why, shown on the Queues page and on its jobs' pages.
   */
  async pause(queue: string, by: string | null = null, { force = false, reason }: { force?: boolean; reason?: string } = {}): Promise<boolean> {
    checkName(queue)
    const problem = reason === undefined ? undefined : jsonProblem({ reason }, 'pause')
    if (problem) throw new ManaError('invalid_queue', problem)
    const [row] = await this.db.query<{ paused: boolean }>('SELECT manana_pause_queue($1, $2, $3, $4) AS paused', [queue, by, force, reason ?? null])
    return row!.paused
  }

  /** Resumes a queue and wakes its workers; false when it was not paused. */
  async resume(queue: string): Promise<boolean> {
    checkName(queue)
    const [row] = await this.db.query<{ resumed: boolean }>('SELECT manana_resume_queue($1) AS resumed', [queue])
    return row!.resumed
  }

  async paused(): Promise<PausedQueue[]> {
    const rows = await this.db.query<{ queue_name: string; paused_at: Date; paused_by: string | null; reason: string | null }>(
      'SELECT queue_name, paused_at, paused_by, reason FROM manana_paused_queues ORDER BY queue_name',
    )
    return rows.map((row) => ({ queue: row.queue_name, pausedAt: row.paused_at, pausedBy: row.paused_by, reason: row.reason }))
  }
}
