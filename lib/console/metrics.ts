// The console's Prometheus metrics (GET /api/metrics): the state of the whole queue as the
// database tells it, shared by every worker and language. The figures come from the shared
// overview (lib/console/overview.ts: recomputed at most every 2 s, only once jobs changed), so
// a scrape never counts the jobs table itself. What happens inside workers (attempts, run
// times, waits, round trips) each worker serves on its own --metrics-port.
import { MetricsText } from '../observe/prometheus.ts'
import type { Queryable } from '../queue/queryable.ts'
import type { Overview } from './overview.ts'

/** Deadlocks PostgreSQL detected in this database since its statistics were last reset (any client's): one row, no table scan. */
export async function databaseDeadlocks(db: Queryable): Promise<number> {
  const [row] = await db.query<{ deadlocks: string }>('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()')
  return Number(row?.deadlocks ?? 0)
}

/** The text of a scrape, from an overview computed `ageMs` ago and the database's deadlocks. */
export function consoleMetricsText(overview: Overview & { ageMs: number }, deadlocks: number, now = Date.now()): string {
  const text = new MetricsText()
  text.family('manana_jobs', 'gauge', 'Jobs by queue and status.')
  for (const { queue, status, count } of overview.counts) text.sample('manana_jobs', { queue, status }, count)

  text.family('manana_ready_jobs', 'gauge', 'Jobs any worker of their queue could start now (no unfinished parent, no later schedule), not yet claimed.')
  for (const { queue, ready } of overview.queues) text.sample('manana_ready_jobs', { queue }, ready)
  text.family('manana_oldest_ready_job_age_seconds', 'gauge', 'How long the earliest deferred ready job of each queue has been ready (none: no ready job).')
  for (const { queue, oldestReadySince } of overview.queues) {
    if (oldestReadySince) text.sample('manana_oldest_ready_job_age_seconds', { queue }, Math.max(0, (now - Date.parse(oldestReadySince)) / 1000))
  }
  text.family('manana_queue_paused', 'gauge', 'Whether a queue is paused (1): no worker starts its jobs.')
  for (const { queue, pausedAt } of overview.queues) text.sample('manana_queue_paused', { queue }, pausedAt ? 1 : 0)
  text.family('manana_queue_workers', 'gauge', 'Workers with a heartbeat in the last 30 s that take jobs of the queue.')
  for (const { queue, workers } of overview.queues) text.sample('manana_queue_workers', { queue }, workers)

  text.family('manana_ready_jobs_without_worker', 'gauge', 'Ready jobs no live worker can run: none takes their queue with their task (Python workers take any task of their queues).')
  for (const { queue, task, ready } of overview.withoutWorker) text.sample('manana_ready_jobs_without_worker', { queue, task }, ready)

  const alive = overview.workers.filter((worker) => worker.alive)
  text.family('manana_workers', 'gauge', 'Workers with a heartbeat in the last 30 s.').sample('manana_workers', {}, alive.length)
  const doing = overview.workers.flatMap((worker) => worker.running)
  text.family('manana_claimed_ahead_jobs', 'gauge', 'Jobs workers claimed ahead of a free slot and have not started yet.')
  text.sample('manana_claimed_ahead_jobs', {}, doing.filter((job) => job.claimedAhead).length)

  text.family('manana_database_deadlocks_total', 'counter', "Deadlocks PostgreSQL detected in Mañana's database (any client's), since its statistics were reset.")
  text.sample('manana_database_deadlocks_total', {}, deadlocks)
  text.family('manana_overview_age_seconds', 'gauge', 'How old the figures above are (they are recomputed once jobs change, at most every 2 s).')
  text.sample('manana_overview_age_seconds', {}, overview.ageMs / 1000)
  return text.toString()
}
