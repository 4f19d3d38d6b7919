// When the jobs of a page were deferred, last started and ended: the jobs list's time columns.
import type { Queryable } from '../queue/queryable.ts'

export interface JobTimes {
  deferredAt: string | null
  /** The last attempt's start (its claim). */
  startedAt: string | null
  /** Its end, when the job is finished. */
  endedAt: string | null
}

export async function jobTimes(db: Queryable, ids: number[]): Promise<Record<number, JobTimes>> {
  if (!ids.length) return {}
  const rows = await db.query<{ id: string; deferred_at: Date | null; started_at: Date | null; ended_at: Date | null }>(
    `SELECT job.id,
            (SELECT min(event.at) FROM procrastinate_events AS event WHERE event.job_id = job.id AND event.type = 'deferred') AS deferred_at,
            (SELECT max(event.at) FROM procrastinate_events AS event WHERE event.job_id = job.id AND event.type = 'started') AS started_at,
            CASE WHEN manana_is_terminal(job.status) THEN
              (SELECT max(event.at) FROM procrastinate_events AS event
               WHERE event.job_id = job.id AND event.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) END AS ended_at
     FROM procrastinate_jobs AS job WHERE job.id = ANY ($1)`,
    [ids],
  )
  const iso = (at: Date | null) => at?.toISOString() ?? null
  return Object.fromEntries(rows.map((row) => [Number(row.id), { deferredAt: iso(row.deferred_at), startedAt: iso(row.started_at), endedAt: iso(row.ended_at) }]))
}
