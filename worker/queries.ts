// The worker's SQL, every statement it sends but those of its helpers that own theirs
// (attempt-ends.ts, job-logs.ts, workflow-requests.ts, listener.ts, run-traces.ts): each rule
// lives in a SQL function of the schema; these are the calls.
import type { JobRow } from '../lib/queue/job.ts'
import type { Queryable } from '../lib/queue/queryable.ts'

/** Claims up to `max` ready jobs of these queues' tasks this worker runs; `startNow` of them start at once, the rest are claimed ahead. */
export async function fetchJobs(db: Queryable, queues: string[] | null, workerId: number, max: number, startNow: number): Promise<JobRow[]> {
  const rows = await db.query<{ job: JobRow }>('SELECT to_jsonb(job) AS job FROM manana_fetch_jobs($1, $2, $3, $4) AS job', [queues, workerId, max, startNow])
  return rows.map((row) => row.job)
}

/** Of these workers, those registered now (a worker judged gone is removed with the recovery of its jobs). */
export async function registeredWorkers(db: Queryable, ids: number[]): Promise<Set<number>> {
  const rows = await db.query<{ id: string }>('SELECT id FROM procrastinate_workers WHERE id = ANY ($1::bigint[])', [ids])
  return new Set(rows.map((row) => Number(row.id)))
}

/** The jobs the database holds as this worker's: claimed by it and not ended (in id order). */
export async function jobsClaimedBy(db: Queryable, workerId: number): Promise<JobRow[]> {
  const rows = await db.query<{ job: JobRow }>(
    `SELECT to_jsonb(job) AS job FROM procrastinate_jobs AS job WHERE job.worker_id = $1 AND job.status = 'doing' ORDER BY job.id`,
    [workerId],
  )
  return rows.map((row) => row.job)
}

/** Seconds each claimed job waited, from when it became ready to its claim (its 'started' event), by the database's clock. */
export async function queueWaits(db: Queryable, jobs: Array<{ id: number; scheduledAt: Date | null }>): Promise<Map<number, number>> {
  const rows = await db.query<{ id: string; wait: number | null }>(
    `SELECT claimed.id,
            extract(epoch FROM (SELECT max(event.at) FROM procrastinate_events AS event WHERE event.job_id = claimed.id AND event.type = 'started')
                               - manana_job_ready_since(claimed.id, claimed.scheduled_at))::float8 AS wait
     FROM unnest($1::bigint[], $2::timestamptz[]) AS claimed (id, scheduled_at)`,
    [jobs.map((job) => job.id), jobs.map((job) => job.scheduledAt)],
  )
  return new Map(rows.filter((row) => row.wait !== null).map((row) => [Number(row.id), Math.max(0, row.wait!)]))
}

/** A job's status and, when it failed, its last error's message. */
export async function jobOutcome(db: Queryable, jobId: number): Promise<{ status: string; error: string | null } | undefined> {
  const [row] = await db.query<{ status: string; error: string | null }>(
    `SELECT job.status, (SELECT failure.message FROM manana_job_errors AS failure WHERE failure.job_id = job.id ORDER BY failure.attempt DESC LIMIT 1) AS error
     FROM procrastinate_jobs AS job WHERE job.id = $1`,
    [jobId],
  )
  return row
}

/** Of these jobs, the ones someone asked to abort. */
export async function abortRequestedAmong(db: Queryable, jobIds: number[]): Promise<number[]> {
  const rows = await db.query<{ id: string }>('SELECT id FROM procrastinate_jobs WHERE id = ANY ($1) AND abort_requested', [jobIds])
  return rows.map((row) => Number(row.id))
}

export interface Beat {
  /** It is still registered (false: another worker removed it as gone). */
  registered: boolean
  /** Workers that beat in the last 3 s. */
  workers: number
  /** Who asked it to stop, if someone did. */
  stopRequestedBy: string | null
}

export async function heartbeat(db: Queryable, workerId: number): Promise<Beat> {
  const [row] = await db.query<{ registered: boolean | null; workers: number; stop_requested_by: string | null }>(
    `SELECT manana_heartbeat($1) AS registered, (SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - interval '3 seconds')::int AS workers,
            (SELECT coalesce(stop_requested_by, 'someone') FROM procrastinate_workers WHERE id = $1 AND stop_requested_at IS NOT NULL) AS stop_requested_by`,
    [workerId],
  )
  return { registered: row!.registered === true, workers: row!.workers, stopRequestedBy: row!.stop_requested_by }
}

export interface WorkerRegistration {
  name: string
  host: string
  pid: number
  queues: string[] | null
  concurrency: number
  /** What it announces of each task (manana_register_worker's tasks). */
  tasks: unknown[]
  heartbeatInterval: number
  lockGrace: number
  version: string
}

export async function registerWorker(db: Queryable, worker: WorkerRegistration): Promise<number> {
  const [row] = await db.query<{ id: string }>('SELECT manana_register_worker($1, $2, $3, $4, $5, $6, $7, $8, $9) AS id', [
    worker.name,
    worker.host,
    worker.pid,
    worker.queues,
    worker.concurrency,
    JSON.stringify(worker.tasks),
    worker.heartbeatInterval,
    worker.lockGrace,
    worker.version,
  ])
  return Number(row!.id)
}

export async function announceSchedules(db: Queryable, schedules: unknown[]): Promise<void> {
  await db.query('SELECT manana_announce_schedules($1)', [JSON.stringify(schedules)])
}

export async function announceWorkflows(db: Queryable, workflows: unknown[]): Promise<void> {
  await db.query('SELECT manana_announce_workflows($1)', [JSON.stringify(workflows)])
}

export async function unregisterWorker(db: Queryable, workerId: number): Promise<void> {
  await db.query('SELECT procrastinate_unregister_worker_v1($1)', [workerId])
}

/** A row of manana_claim_stalled_jobs: a job a gone worker left, and what is known of the worker. */
export interface StalledJob {
  job: JobRow
  /** Its start was recorded (not merely claimed ahead). */
  started: boolean
  known_by: 'connection' | 'heartbeat' | 'pruned'
  worker: { id: number; name: string | null; host: string | null; pid: number | null } | null
}

/** Claims the jobs of workers gone for `staleAfter` seconds (or sooner by the lock rule); in a transaction, to be ended in it. */
export function claimStalledJobs(db: Queryable, staleAfter: number): Promise<StalledJob[]> {
  return db.query<StalledJob>('SELECT * FROM manana_claim_stalled_jobs($1)', [staleAfter])
}

/** Ends a recovered job's attempt as failed, retried in `retryIn` seconds (null: not retried). */
export async function failRecoveredAttempt(db: Queryable, jobId: number, error: unknown, retryIn: number | null): Promise<void> {
  await db.query('SELECT manana_end_attempt($1, NULL, $2, NULL, $3::jsonb, $4)', [jobId, 'failed', error, retryIn])
}

export interface PeriodicTick {
  queue: string
  lock: string | null
  queueingLock: string | null
  task: string
  priority: number
  periodicId: string
  /** The tick, in seconds since the epoch. */
  at: number
  args: Record<string, unknown>
}

/** Defers a periodic task's tick once, whoever asks first (upstream's function); the job's id, or null when it was deferred already or is paused. */
export async function deferPeriodicTick(db: Queryable, tick: PeriodicTick): Promise<number | null> {
  const [row] = await db.query<{ id: string | null }>('SELECT procrastinate_defer_periodic_job_v2($1, $2, $3, $4, $5, $6, $7, $8) AS id', [
    tick.queue,
    tick.lock,
    tick.queueingLock,
    tick.task,
    tick.priority,
    tick.periodicId,
    tick.at,
    JSON.stringify(tick.args),
  ])
  return row!.id === null ? null : Number(row!.id)
}

/** Whether this worker is the first to claim the retention run of the last `everySeconds`. */
export async function claimRetentionRun(db: Queryable, everySeconds: number): Promise<boolean> {
  const [turn] = await db.query<{ ours: boolean }>('SELECT manana_claim_retention_run($1) AS ours', [everySeconds])
  return turn!.ours
}
