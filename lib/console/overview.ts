// The Overview page: what is happening now.
import type { JobStatus } from '../queue/job.ts'
import { listQueues, type QueueSummary } from './catalog.ts'
import type { ConsoleContext } from './context.ts'
import { liveHub } from './live.ts'

export interface Overview {
  counts: Array<{ queue: string; status: JobStatus; count: number }>
  /** Per minute over the last hour: jobs finished, failed, and the ready-queue depth. */
  timeline: Array<{ minute: string; succeeded: number; failed: number; depth: number }>
  recentFailures: Array<{ id: number; task: string; at: string; message: string | null }>
  workers: WorkerSummary[]
  /** Every known queue: its jobs by state, since when its oldest ready job waits, its live workers. */
  queues: QueueSummary[]
  /** Ready jobs no live worker can run: none serves their queue with their task. */
  withoutWorker: Array<{ queue: string; task: string; ready: number }>
}

/** An overview as served: when it was computed, and whether jobs have changed since. */
export interface SharedOverview extends Overview {
  /** Milliseconds since its computation began. */
  ageMs: number
  /** Jobs changed since, or it is old: a newer overview is being computed (ask again shortly). */
  stale: boolean
}

export interface WorkerSummary {
  id: number
  name: string | null
  host: string | null
  queues: string[] | null
  concurrency: number | null
  pid: number | null
  /** The version of Mañana it runs (null: a worker of an older release, or a Python worker, which cannot be stopped from here). */
  version: string | null
  startedAt: string
  lastHeartbeat: string
  alive: boolean
  /** Its doing jobs: running, or claimed ahead of a free slot. */
  running: Array<{ id: number; task: string; claimedAhead: boolean }>
  /** An operator asked it to stop: when, and who (it finishes its running jobs, then exits). */
  stopRequested: { at: string; by: string | null } | null
}

/**
 * One overview per console server, shared by every request: at a million jobs it takes most of a
 * second of database time, so it is computed again only once jobs have changed (the live
 * stream says so) or it is 10 s old (workers' heartbeats change no job), at most every 2 s,
 * while requests get the last one, marked stale.
 */
class OverviewShare {
  private current?: { startedAt: number; overview: Overview }
  private computing?: Promise<void>
  private changedAt = 0
  private listening = false

  async get(context: ConsoleContext): Promise<SharedOverview> {
    if (!this.listening) {
      this.listening = true
      liveHub.subscribe(() => (this.changedAt = Date.now()))
    }
    const behind = this.behind()
    if (behind && !this.computing && (!this.current || Date.now() - this.current.startedAt >= minIntervalMs)) {
      this.computing = this.compute(context).finally(() => (this.computing = undefined))
      this.computing.catch(() => {}) // a request that waits for it gets the error
    }
    if (!this.current || (behind && Date.now() - this.current.startedAt > maxStaleMs)) await this.computing
    const { startedAt, overview } = this.current!
    return { ...overview, ageMs: Date.now() - startedAt, stale: this.behind() }
  }

  /** Whether jobs changed after the last computation began, or it is old. */
  private behind(): boolean {
    return !this.current || this.current.startedAt <= this.changedAt || Date.now() - this.current.startedAt > maxAgeMs
  }

  private async compute(context: ConsoleContext): Promise<void> {
    const startedAt = Date.now()
    this.current = { startedAt, overview: await getOverview(context) }
  }
}

const minIntervalMs = 2000
const maxAgeMs = 10_000
const maxStaleMs = 60_000
const shared = globalThis as { mananaOverview?: OverviewShare }
export const sharedOverview = (shared.mananaOverview ??= new OverviewShare())

export async function getOverview(context: Pick<ConsoleContext, 'db'>): Promise<Overview> {
  const { db } = context
  const [counts, timeline, failures, workers, queues, withoutWorker] = await Promise.all([
    db.query<{ queue: string; status: JobStatus; count: number }>(
      `SELECT queue_name AS queue, status, count(*)::int AS count FROM procrastinate_jobs GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    db.query<{ minute: Date; succeeded: number; failed: number; depth: number }>(
      // Depth now, walked back minute by minute: what was added to the ready queue came in,
      // what was taken or cancelled went out.
      `WITH minutes AS (
         SELECT generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()), interval '1 minute') AS minute
       ), flows AS (
         SELECT date_trunc('minute', at) AS minute,
                count(*) FILTER (WHERE type = 'succeeded') AS succeeded,
                count(*) FILTER (WHERE type = 'failed') AS failed,
                count(*) FILTER (WHERE type IN ('deferred', 'deferred_for_retry', 'retried')) AS came,
                count(*) FILTER (WHERE type IN ('started', 'cancelled')) AS went
         FROM procrastinate_events WHERE at > date_trunc('minute', now()) - interval '59 minutes'
         GROUP BY 1
       ), joined AS (
         SELECT minutes.minute, coalesce(succeeded, 0) AS succeeded, coalesce(failed, 0) AS failed,
                coalesce(came, 0) - coalesce(went, 0) AS net
         FROM minutes LEFT JOIN flows USING (minute)
       )
       SELECT minute, succeeded::int, failed::int,
              greatest(0, (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo')
                 - coalesce(sum(net) OVER (ORDER BY minute DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::int AS depth
       FROM joined ORDER BY minute`,
    ),
    db.query<{ id: string; task: string; at: Date; message: string | null }>(
      `SELECT event.job_id AS id, job.task_name AS task, event.at,
              (SELECT message FROM manana_job_errors AS error WHERE error.job_id = job.id ORDER BY attempt DESC LIMIT 1) AS message
       FROM procrastinate_events AS event JOIN procrastinate_jobs AS job ON job.id = event.job_id
       WHERE event.type = 'failed' ORDER BY event.id DESC LIMIT 10`,
    ),
    listWorkers(context),
    listQueues(context),
    db.query<{ queue: string; task: string; ready: number }>(
      // Grouped first (the ready jobs' index), then each group's workers: a few groups, not a look per job.
      `WITH ready AS (
         SELECT queue_name, task_name, count(*)::int AS ready FROM procrastinate_jobs
         WHERE status = 'todo' AND unfinished_parents = 0 AND (scheduled_at IS NULL OR scheduled_at <= now())
         GROUP BY 1, 2
       )
       SELECT queue_name AS queue, task_name AS task, ready FROM ready
       WHERE NOT manana_has_live_worker(queue_name, task_name, 30)
       ORDER BY 1, 2`,
    ),
  ])
  return {
    counts,
    timeline: timeline.map((row) => ({ ...row, minute: row.minute.toISOString() })),
    recentFailures: failures.map((row) => ({ id: Number(row.id), task: row.task, at: row.at.toISOString(), message: row.message })),
    workers,
    queues,
    withoutWorker,
  }
}

/** Workers seen recently, with the jobs each is running. */
export async function listWorkers({ db }: Pick<ConsoleContext, 'db'>, aliveSeconds = 30): Promise<WorkerSummary[]> {
  const rows = await db.query<{
    id: string
    name: string | null
    host: string | null
    queues: string[] | null
    concurrency: number | null
    pid: number | null
    version: string | null
    started_at: Date
    stop_requested_at: Date | null
    stop_requested_by: string | null
    last_heartbeat: Date
    alive: boolean
    running: Array<{ id: number; task: string; claimedAhead: boolean }> | null
  }>(
    `SELECT worker.id, worker.name, worker.host, worker.queues, worker.concurrency, worker.last_heartbeat, worker.pid,
            worker.version, worker.started_at, worker.stop_requested_at, worker.stop_requested_by,
            worker.last_heartbeat > now() - make_interval(secs => $1) AS alive,
            (SELECT jsonb_agg(jsonb_build_object('id', job.id, 'task', job.task_name, 'claimedAhead', job.claimed_ahead) ORDER BY job.id)
             FROM procrastinate_jobs AS job WHERE job.worker_id = worker.id AND job.status = 'doing') AS running
     FROM procrastinate_workers AS worker ORDER BY worker.id`,
    [aliveSeconds],
  )
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    host: row.host,
    queues: row.queues,
    concurrency: row.concurrency,
    pid: row.pid,
    version: row.version,
    startedAt: row.started_at.toISOString(),
    lastHeartbeat: row.last_heartbeat.toISOString(),
    alive: row.alive,
    running: row.running ?? [],
    stopRequested: row.stop_requested_at ? { at: row.stop_requested_at.toISOString(), by: row.stop_requested_by } : null,
  }))
}
