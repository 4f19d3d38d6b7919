// The operators' verbs on jobs. Every rule is in an SQL function; this only calls them.
import { ManaError } from './errors.ts'
import { jobFromRow, type Job, type JobRow, type JobStatus } from './job.ts'
import { jsonProblem } from './json-values.ts'
import type { ParentJob } from './parents.ts'
import { pruneJobs, type PruneOptions } from './prune.ts'
import type { Queryable } from './queryable.ts'

export interface JobFilter {
  status?: JobStatus | JobStatus[]
  queue?: string
  task?: string
  lock?: string
  ids?: number[]
  /** Jobs whose args contain these values (JSON containment: { user_id: 42 }). */
  args?: Record<string, unknown>
  /**
   * Jobs deferred at or after this time… (found by their ids, which grow with their deferral:
   * jobs deferred in the same instant by two transactions may fall either side of an edge)
   */
  deferredFrom?: Date
  /** …and before this one. */
  deferredBefore?: Date
  /** Jobs with an attempt that ended (or was put back) at or after this time… */
  endedFrom?: Date
  /** …and before this one. */
  endedBefore?: Date
}

export const jobOrders = ['newest', 'oldest', 'slowest'] as const
/**
 * newest (default) or oldest first, page after page; slowest: the longest latest attempts
 * among the `slowestAmong` newest matching jobs that ran, one page (an index on run times would
 * slow every job's end).
 */
export type JobOrder = (typeof jobOrders)[number]
export const slowestAmong = 10_000

export interface PageRequest {
  /** Jobs per page, 1 to 500 (default 50). */
  limit?: number
  /** The `next` cursor of the previous page. */
  after?: number
  order?: JobOrder
}

export interface JobPage {
  jobs: Job[]
  /** Pass as `after` for the next page; null on the last one. */
  next: number | null
  /** Sorted by slowest: how many jobs that ran it looked among (at most slowestAmong). */
  among?: number
}

export interface RetryTarget {
  id: number
  task: string
  queue: string
  status: JobStatus
  /** 0 for the job itself, 1 for its children, and so on. */
  depth: number
}

export interface RetryOptions {
  /** Also re-run every finished job downstream of this one. */
  downstream?: boolean
}

export type BulkAction = 'cancel' | 'retry'

export interface BulkResult {
  action: BulkAction
  /** Jobs the filter matched (at most bulkLimit). */
  matched: number
  /** More than bulkLimit matched: narrow the filter. */
  tooMany: boolean
  /** Matched jobs the action applies to (todo ones to cancel, finished ones to retry)… */
  applicable: number
  /** …and the others, left alone. */
  skipped: number
  /** Jobs changed (0 on a dry run). */
  done: number
  /** The newest ten matched. */
  sample: Job[]
}

/** A bulk action touches at most this many jobs; more wants a narrower filter. */
export const bulkLimit = 10_000

/** The WHERE clause of a JobFilter, over `job`, with its values as $1…$10 (filterValues). */
const matching = `($1::procrastinate_job_status[] IS NULL OR job.status = ANY ($1))
         AND ($2::varchar IS NULL OR job.queue_name = $2)
         AND ($3::varchar IS NULL OR job.task_name = $3)
         AND ($4::text IS NULL OR job.lock = $4)
         AND ($5::bigint[] IS NULL OR job.id = ANY ($5))
         AND ($6::jsonb IS NULL OR job.args @> $6)
         AND ($7::timestamptz IS NULL OR job.id >= (SELECT manana_first_job_deferred_since($7)))
         AND ($8::timestamptz IS NULL OR job.id < (SELECT manana_first_job_deferred_since($8)))
         AND (($9::timestamptz IS NULL AND $10::timestamptz IS NULL) OR job.id IN (
               SELECT event.job_id FROM procrastinate_events AS event
               WHERE event.type IN ('succeeded', 'failed', 'aborted', 'deferred_for_retry')
                 AND ($9::timestamptz IS NULL OR event.at >= $9) AND ($10::timestamptz IS NULL OR event.at < $10)))`

function filterValues(filter: JobFilter): unknown[] {
  const problem = jsonProblem({ queue: filter.queue, task: filter.task, lock: filter.lock, args: filter.args }, 'filter')
  if (problem) throw new ManaError('invalid_args', problem)
  return [
    filter.status === undefined ? null : [filter.status].flat(),
    filter.queue ?? null,
    filter.task ?? null,
    filter.lock ?? null,
    filter.ids ?? null,
    filter.args === undefined ? null : JSON.stringify(filter.args),
    filter.deferredFrom ?? null,
    filter.deferredBefore ?? null,
    filter.endedFrom ?? null,
    filter.endedBefore ?? null,
  ]
}

export class JobManager {
  constructor(private readonly db: Queryable) {}

  async get(id: number): Promise<Job | undefined> {
    const [row] = await this.db.query<{ job: JobRow }>(
      'SELECT to_jsonb(job) AS job FROM procrastinate_jobs AS job WHERE job.id = $1',
      [id],
    )
    return row && jobFromRow(row.job)
  }

  /** The job, or job_not_found. */
  async getExisting(id: number): Promise<Job> {
    const job = await this.get(id)
    if (!job) throw new ManaError('job_not_found', `job ${id} does not exist`)
    return job
  }

  /** Keyset pages by id, newest or oldest first; or the slowest (see JobOrder). */
  async list(filter: JobFilter = {}, page: PageRequest = {}): Promise<JobPage> {
    const limit = Math.min(Math.max(Math.trunc(page.limit ?? 50), 1), 500)
    const order = page.order ?? 'newest'
    if (order === 'slowest') return this.slowest(filter, limit)
    const rows = await this.db.query<{ job: JobRow }>(
      `SELECT to_jsonb(job) AS job FROM procrastinate_jobs AS job
       WHERE ${matching} AND ($11::bigint IS NULL OR job.id ${order === 'newest' ? '<' : '>'} $11)
       ORDER BY job.id ${order === 'newest' ? 'DESC' : 'ASC'}
       LIMIT $12`,
      [...filterValues(filter), page.after ?? null, limit],
    )
    const jobs = rows.map((row) => jobFromRow(row.job))
    return { jobs, next: jobs.length === limit ? jobs[jobs.length - 1]!.id : null }
  }

  /**
   * The longest latest attempts among the newest `slowestAmong` matching jobs that ran (queued
   * jobs that never started are not counted: a big workflow waiting would push the runs out),
   * with how many that was.
   */
  private async slowest(filter: JobFilter, limit: number): Promise<JobPage> {
    const rows = await this.db.query<{ job: JobRow | null; among: number }>(
      `WITH ran AS MATERIALIZED (
         SELECT job.id FROM procrastinate_jobs AS job
         WHERE ${matching} AND (job.status IN ('doing', 'succeeded', 'failed', 'aborted') OR job.attempts > 0)
         ORDER BY job.id DESC LIMIT $11
       )
       SELECT (SELECT count(*) FROM ran)::int AS among, slowest.job
       FROM (SELECT 1) AS one
       LEFT JOIN LATERAL (
         SELECT to_jsonb(job) AS job FROM ran
         CROSS JOIN LATERAL manana_last_attempt(ran.id) AS last
         JOIN procrastinate_jobs AS job ON job.id = ran.id
         WHERE last.ran_ms IS NOT NULL
         ORDER BY last.ran_ms DESC, job.id DESC
         LIMIT $12
       ) AS slowest ON true`,
      [...filterValues(filter), slowestAmong, limit],
    )
    const jobs = rows.flatMap((row) => (row.job ? [jobFromRow(row.job)] : []))
    return { jobs, next: null, among: rows[0]?.among ?? 0 }
  }

  /**
   * Cancels, or retries (this job only), every job the filter matches, up to `bulkLimit`;
   * with dryRun, only says what it would do. Jobs the action does not apply to are skipped.
   */
  async bulk(filter: JobFilter, action: BulkAction, { dryRun = false } = {}): Promise<BulkResult> {
    const applies = action === 'cancel' ? `job.status = 'todo'` : `manana_is_terminal(job.status)`
    const act = action === 'cancel' ? 'procrastinate_cancel_job_v1(job.id, false, false)' : 'manana_retry_job(job.id, false)'
    const [row] = await this.db.query<{ matched: number; applicable: number; sample: JobRow[] | null; acted: number | null }>(
      `WITH matched AS MATERIALIZED (
         SELECT job.id, job.status, ${applies} AS applies FROM procrastinate_jobs AS job
         WHERE ${matching} ORDER BY job.id LIMIT $11
       ), acted AS (
         SELECT ${act} FROM procrastinate_jobs AS job
         WHERE NOT $12 AND job.id IN (SELECT id FROM matched WHERE applies) AND ${applies}
       )
       SELECT (SELECT count(*) FROM matched)::int AS matched,
              (SELECT count(*) FROM matched WHERE applies)::int AS applicable,
              (SELECT jsonb_agg(to_jsonb(job) ORDER BY job.id DESC) FROM (
                 SELECT job.* FROM procrastinate_jobs AS job WHERE job.id IN (SELECT id FROM matched) ORDER BY job.id DESC LIMIT 10
               ) AS job) AS sample,
              (SELECT count(*) FROM acted)::int AS acted`,
      [...filterValues(filter), bulkLimit + 1, dryRun],
    )
    return {
      action,
      matched: Math.min(row!.matched, bulkLimit),
      tooMany: row!.matched > bulkLimit,
      applicable: row!.applicable,
      skipped: Math.min(row!.matched, bulkLimit) - row!.applicable,
      done: dryRun ? 0 : row!.acted!,
      sample: (row!.sample ?? []).map(jobFromRow),
    }
  }

  /** A todo job becomes cancelled (its children then run, and see it cancelled). */
  async cancel(id: number): Promise<void> {
    await this.db.query('SELECT manana_cancel_job($1, false)', [id])
  }

  /** Cancels a todo job, or asks the worker running a doing job to stop it. */
  async abort(id: number): Promise<void> {
    await this.db.query('SELECT manana_cancel_job($1, true)', [id])
  }

  /** What retry() would return to todo, without changing anything. */
  retryPreview(id: number, options: RetryOptions = {}): Promise<RetryTarget[]> {
    return this.retryTargets('SELECT * FROM manana_jobs_to_retry($1, $2)', [id, options.downstream ?? false])
  }

  /** What retryWorkflow() would return to todo, without changing anything. */
  workflowRetryPreview(workflowId: number): Promise<RetryTarget[]> {
    return this.retryTargets('SELECT * FROM manana_workflow_jobs_to_retry($1)', [workflowId])
  }

  private async retryTargets(sql: string, values: unknown[]): Promise<RetryTarget[]> {
    const rows = await this.db.query<{ id: string; task_name: string; queue_name: string; status: JobStatus; depth: number }>(sql, values)
    return rows.map((row) => ({
      id: Number(row.id),
      task: row.task_name,
      queue: row.queue_name,
      status: row.status,
      depth: row.depth,
    }))
  }

  /** Runs a workflow's failed and aborted jobs again, with every finished job downstream of them; returns the ids reset. */
  async retryWorkflow(workflowId: number): Promise<number[]> {
    const rows = await this.db.query<{ id: string }>('SELECT manana_retry_workflow($1) AS id', [workflowId])
    return rows.map((row) => Number(row.id))
  }

  /** Runs a finished job again (and with downstream, everything finished after it); returns the ids reset. */
  async retry(id: number, options: RetryOptions = {}): Promise<number[]> {
    const rows = await this.db.query<{ id: string }>('SELECT manana_retry_job($1, $2) AS id', [
      id,
      options.downstream ?? false,
    ])
    return rows.map((row) => Number(row.id))
  }

  /**
   * Fixing a run by hand: a job that failed, was aborted or was cancelled becomes succeeded with
   * `result`. Returns the jobs that run again for it: its children that their rule (all_succeeded)
   * had cancelled for it, and what finished after them. `by` is named in the job's log.
   */
  async markSucceeded(id: number, result: unknown, by: string | null = null): Promise<number[]> {
    const problem = jsonProblem(result, 'result')
    if (problem) throw new ManaError('invalid_args', problem)
    const rows = await this.db.query<{ id: string }>('SELECT manana_mark_succeeded($1, $2::jsonb, $3) AS id', [id, JSON.stringify(result ?? null), by])
    return rows.map((row) => Number(row.id))
  }

  async delete(id: number): Promise<void> {
    await this.db.query('SELECT manana_delete_job($1)', [id])
  }

  /**
   * Deletes finished jobs that ended longer ago than `olderThan`, batch by batch (each its own
   * transaction), never one an unfinished child still needs; with `dryRun`, counts them.
   */
  prune(options: PruneOptions): Promise<number> {
    return pruneJobs(this.db, options)
  }

  /** The status of each parent of a job, by parent id. */
  async parentStatuses(id: number): Promise<Record<number, JobStatus>> {
    const [row] = await this.db.query<{ statuses: Record<string, JobStatus> }>(
      'SELECT manana_get_parent_statuses($1) AS statuses',
      [id],
    )
    return row!.statuses
  }

  /** A job's parents: id, task, status and result (what ctx.parents() matches to the declared ones). */
  async parentJobs(id: number): Promise<ParentJob[]> {
    const rows = await this.db.query<{ id: string; task_name: string; status: JobStatus; result: unknown }>(
      `SELECT parent.id, parent.task_name, parent.status, parent.result
       FROM procrastinate_job_dependencies AS edge JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
       WHERE edge.job_id = $1 ORDER BY parent.id`,
      [id],
    )
    return rows.map((row) => ({ id: Number(row.id), task: row.task_name, status: row.status, result: row.result }))
  }

  /** The result of each parent of a job (null until it succeeded), by parent id. */
  async parentResults(id: number): Promise<Record<number, unknown>> {
    const [row] = await this.db.query<{ results: Record<string, unknown> }>(
      'SELECT manana_get_parent_results($1) AS results',
      [id],
    )
    return row!.results
  }
}
