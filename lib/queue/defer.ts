import { traceDefer } from '../observe/tracing.ts'
import { ManaError } from './errors.ts'
import { jsonProblem } from './json-values.ts'
import type { Queryable } from './queryable.ts'

/** A delay: seconds, or a mix of units. */
export type Duration = number | { seconds?: number; minutes?: number; hours?: number; days?: number }

export interface DeferOptions {
  queue?: string
  priority?: number
  lock?: string | null
  queueingLock?: string | null
  scheduledAt?: Date | string
  scheduleIn?: Duration
  /** Existing job ids this job waits for. */
  dependsOn?: number[]
  /**
   * When it runs, by how its parents ended: 'all_finished' (the default, Procrastinate's) once
   * they all have, whatever their outcome; 'all_succeeded' only if they all succeed (it is
   * cancelled, and its 'all_succeeded' descendants with it, as soon as one does not);
   * 'any_failed' once they all have, only if one did not succeed (cleanup, alerting).
   */
  runWhen?: RunWhen
}

/** The most jobs one workflow may hold: a definition's run, or one deferred over HTTP. */
export const maxWorkflowJobs = 10_000

export const runWhenRules = ['all_finished', 'all_succeeded', 'any_failed'] as const
export type RunWhen = (typeof runWhenRules)[number]

export interface JobToDefer extends Omit<DeferOptions, 'dependsOn'> {
  task: string
  args?: Record<string, unknown>
  /** Lets other jobs of the same call name this one in their dependsOn. */
  key?: string
  /** Existing job ids (numbers) and keys of other jobs in the same call (strings). */
  dependsOn?: Array<number | string>
}

/** A workflow: its jobs by key; dependsOn names other keys, or existing job ids. */
export type Workflow = Record<string, Omit<JobToDefer, 'key'>>

export function durationSeconds(duration: Duration): number {
  if (typeof duration === 'number') return duration
  const { seconds = 0, minutes = 0, hours = 0, days = 0 } = duration
  return seconds + 60 * (minutes + 60 * (hours + 24 * days))
}

/** The options of a task that a job of it takes unless it sets its own. */
export type TaskDefaults = Pick<DeferOptions, 'queue' | 'priority' | 'lock' | 'queueingLock'>

/** A job with its task's queue, priority and locks where it does not set its own. */
export function withTaskDefaults(job: JobToDefer, defaults: TaskDefaults | undefined): JobToDefer {
  if (!defaults) return job
  const filled = { ...job }
  for (const key of ['queue', 'priority', 'lock', 'queueingLock'] as const) {
    if (filled[key] === undefined && defaults[key] !== undefined && defaults[key] !== null) (filled as Record<string, unknown>)[key] = defaults[key]
  }
  return filled
}

/** The JSON nodes manana_defer_jobs() and manana_spawn_jobs() take, once their text is storable (invalid_args names the first that is not). */
export function jobNodes(jobs: JobToDefer[]): Array<Record<string, unknown>> {
  jobs.forEach((job, i) => {
    const problem = jsonProblem({ task: job.task, queue: job.queue, lock: job.lock, queueingLock: job.queueingLock, key: job.key, args: job.args }, `job ${i}`)
    if (problem) throw new ManaError('invalid_args', problem)
  })
  return jobs.map(toNode)
}

const nodesOf = (jobs: JobToDefer[]) => JSON.stringify(jobNodes(jobs))

/** The JSON node manana_defer_jobs() takes; validation is the SQL function's. */
function toNode(job: JobToDefer): Record<string, unknown> {
  const scheduledAt = job.scheduledAt instanceof Date ? job.scheduledAt.toISOString() : job.scheduledAt
  return {
    key: job.key,
    task_name: job.task,
    queue_name: job.queue,
    priority: job.priority,
    lock: job.lock,
    queueing_lock: job.queueingLock,
    args: job.args,
    scheduled_at: scheduledAt,
    schedule_in: job.scheduleIn === undefined ? undefined : durationSeconds(job.scheduleIn),
    depends_on: job.dependsOn,
    run_when: job.runWhen,
  }
}

export interface WorkflowOptions {
  /** The workflow's name, shown and searched in the console (default: its first job's key). */
  name?: string
}

/**
 * Defers jobs (and the edges between them) atomically; returns their ids in order. Jobs with
 * dependencies form a workflow (or join their parents'), which `name` names when it is new.
 */
export async function deferJobs(db: Queryable, jobs: JobToDefer[], { name }: WorkflowOptions = {}): Promise<number[]> {
  const nodes = nodesOf(jobs)
  const nameProblem = jsonProblem({ name }, 'workflow')
  if (nameProblem) throw new ManaError('invalid_job', nameProblem)
  return traceDefer(jobs, async (traceParent) => {
    const rows = await (name === undefined
      ? db.query<{ id: string | number }>(...deferring('id', 'manana_defer_jobs($1::jsonb)', [nodes], traceParent))
      : db.query<{ id: string | number }>(...deferring('id', 'manana_defer_jobs($1::jsonb, $2)', [nodes, name], traceParent)))
    return rows.map((row) => Number(row.id))
  })
}

/**
 * The statement that selects `columns` from the deferring `call`, in its order; with a trace
 * context, every job it defers keeps it (lib/observe/tracing.ts), in the same statement.
 */
function deferring(columns: string, call: string, values: unknown[], traceParent: string | undefined): [string, unknown[]] {
  if (traceParent === undefined) return [`SELECT ${columns} FROM ${call}`, values]
  return [
    `WITH deferred AS (SELECT * FROM ${call} WITH ORDINALITY),
          kept AS (INSERT INTO manana_job_traces (job_id, defer_trace) SELECT id, $${values.length + 1} FROM deferred)
     SELECT ${columns} FROM deferred ORDER BY ordinality`,
    [...values, traceParent],
  ]
}

/** A run of a workflow definition: the workflow it made and its jobs' ids by key. */
export interface WorkflowRun {
  workflowId: number
  ids: Record<string, number>
}

/**
 * Defers a run of the workflow definition `name` atomically: its keyed jobs in a new workflow
 * of that name, which records `input`.
 */
export async function deferWorkflowRun(db: Queryable, name: string, input: Record<string, unknown>, jobs: JobToDefer[]): Promise<WorkflowRun> {
  const problem = jsonProblem({ name, input }, 'workflow')
  if (problem) throw new ManaError('invalid_args', problem)
  const rows = await traceDefer(jobs, (traceParent) =>
    db.query<{ workflow_id: string | number; key: string; id: string | number }>(
      ...deferring('workflow_id, key, id', 'manana_defer_workflow_run($1, $2::jsonb, $3::jsonb)', [name, JSON.stringify(input), nodesOf(jobs)], traceParent),
    ),
  )
  return { workflowId: Number(rows[0]!.workflow_id), ids: Object.fromEntries(rows.map((row) => [row.key, Number(row.id)])) }
}

/** Defers a whole workflow atomically through `defer`; returns the new job ids by key. */
export async function deferKeyed<W extends Workflow>(
  defer: (jobs: JobToDefer[]) => Promise<number[]>,
  workflow: W,
): Promise<Record<keyof W, number>> {
  const keys = Object.keys(workflow)
  const ids = await defer(keys.map((key) => ({ ...workflow[key]!, key })))
  return Object.fromEntries(keys.map((key, i) => [key, ids[i]])) as Record<keyof W, number>
}

/** Defers a whole workflow atomically; returns the new job ids by key. */
export function deferWorkflow<W extends Workflow>(db: Queryable, workflow: W, options: WorkflowOptions = {}): Promise<Record<keyof W, number>> {
  return deferKeyed((jobs) => deferJobs(db, jobs, options), workflow)
}
