// The Schedules page: the periodic tasks workers announced (and those seen only in their ticks,
// a Python worker's), when each ticked last and will tick next, its last tick's job, and whether
// an operator paused it.
import { nextTick, parseCron } from '../queue/cron.ts'
import type { JobStatus } from '../queue/job.ts'
import type { Queryable } from '../queue/queryable.ts'

export interface ScheduleSummary {
  task: string
  /** '' for a task's only schedule. */
  periodicId: string
  /** As the last worker to announce it said; null for a schedule no worker announced (known by its ticks). */
  cron: string | null
  queue: string | null
  args: Record<string, unknown> | null
  /** The next tick by its cron (null when paused, unknown, or none within 400 days). */
  nextTick: string | null
  lastTick: string | null
  lastJob: { id: number; status: JobStatus } | null
  paused: { at: string; by: string | null } | null
}

export async function listSchedules(db: Queryable, now = new Date()): Promise<ScheduleSummary[]> {
  const rows = await db.query<{
    task_name: string
    periodic_id: string
    cron: string | null
    queue_name: string | null
    args: Record<string, unknown> | null
    last_tick: string | null
    last_job_id: string | null
    last_job_status: JobStatus | null
    paused_at: Date | null
    paused_by: string | null
  }>(
    `SELECT known.task_name, known.periodic_id, schedule.cron, schedule.queue_name, schedule.args,
            last.defer_timestamp AS last_tick, last.job_id AS last_job_id, job.status AS last_job_status,
            paused.paused_at, paused.paused_by
     FROM (SELECT task_name, periodic_id FROM manana_schedules
           UNION SELECT task_name, periodic_id FROM procrastinate_periodic_defers) AS known
     LEFT JOIN manana_schedules AS schedule USING (task_name, periodic_id)
     LEFT JOIN manana_paused_schedules AS paused USING (task_name, periodic_id)
     LEFT JOIN LATERAL (
       SELECT defer.defer_timestamp, defer.job_id FROM procrastinate_periodic_defers AS defer
       WHERE defer.task_name = known.task_name AND defer.periodic_id = known.periodic_id
       ORDER BY defer.defer_timestamp DESC LIMIT 1
     ) AS last ON true
     LEFT JOIN procrastinate_jobs AS job ON job.id = last.job_id
     ORDER BY known.task_name, known.periodic_id`,
  )
  return rows.map((row) => {
    let next: Date | null = null
    if (row.cron && !row.paused_at) next = nextTick(parseCron(row.cron), now)
    return {
      task: row.task_name,
      periodicId: row.periodic_id,
      cron: row.cron,
      queue: row.queue_name,
      args: row.args,
      nextTick: next?.toISOString() ?? null,
      lastTick: row.last_tick === null ? null : new Date(Number(row.last_tick) * 1000).toISOString(),
      lastJob: row.last_job_id === null ? null : { id: Number(row.last_job_id), status: row.last_job_status! },
      paused: row.paused_at ? { at: row.paused_at.toISOString(), by: row.paused_by } : null,
    }
  })
}
