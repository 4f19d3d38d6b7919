import type pg from 'pg'
import { directUrlFromEnv, openDatabase, type Database } from '../db/database.ts'
import { createPool, type PoolSettings } from '../db/pool.ts'
import { parseCron } from './cron.ts'
import { ageSeconds, checkedRule, type RetentionRule } from './prune.ts'
import { deferJobs, deferKeyed, withTaskDefaults, type JobToDefer, type Workflow, type WorkflowOptions } from './defer.ts'
import { ManaError, maxTaskNameLength, queueNameFits, queueNameTooLong } from './errors.ts'
import { jsonProblem } from './json-values.ts'
import { JobManager } from './job-manager.ts'
import { fromPg, type Queryable } from './queryable.ts'
import { QueueManager } from './queues.ts'
import type { ParentSpec } from './parents.ts'
import type { InferInput, InferOutput, StandardSchemaV1 } from './standard-schema.ts'
import { Task, type TaskArgs, type TaskHandler, type TaskOptions } from './task.ts'
import { mapTaskName } from './map-task.ts'
import { WorkflowDefinition, type Step, type WorkflowBuilder } from './workflow-definition.ts'

export interface AppOptions {
  /** Defaults to DATABASE_URL, or embedded PostgreSQL under ./.manana/ when that is unset. */
  databaseUrl?: string
  /** Use this pool instead of opening one. */
  pool?: pg.Pool
  /**
   * A connection to the database itself, not through a pooler in transaction mode, for what
   * needs a session: a worker's LISTEN and liveness lock. Defaults to MANANA_DIRECT_URL, else
   * the pool's database.
   */
  directUrl?: string
}

export interface PeriodicTask {
  /** Five cron fields (minute hour day month weekday), or six with seconds last, as Procrastinate. */
  cron: string
  task: Task<any, unknown>
  /** Tells apart several schedules of one task. */
  periodicId: string
  args: TaskArgs
}

// Marks apps across copies of this module (an app loaded from another folder's install of
// Mañana is still an app, though instanceof says no).
const appMark = Symbol.for('manana.app')

/** Whether a module's export is an App, from this copy of Mañana or another. */
export function isApp(value: unknown): value is App {
  return value instanceof App || (typeof value === 'object' && value !== null && appMark in value)
}

/** The tasks of a program and its connection to the queue. */
export class App {
  readonly tasks = new Map<string, Task<any, unknown>>()
  readonly periodicTasks: PeriodicTask[] = []
  readonly workflows = new Map<string, WorkflowDefinition<any, any, any>>()
  /** What its workers delete, and how often (app.retention). */
  readonly retentionRules: Array<RetentionRule & { everySeconds: number }> = []
  /** Get, list, cancel, abort, retry and delete jobs. */
  readonly jobs: JobManager
  /** Pause and resume queues. */
  readonly queues: QueueManager
  private connection?: Promise<{ pool: pg.Pool; database?: Database }>
  private readonly db: Queryable

  constructor(private readonly options: AppOptions = {}) {
    Object.defineProperty(this, appMark, { value: true })
    this.db = { query: async (text, values) => fromPg(await this.pool()).query(text, values) }
    this.jobs = new JobManager(this.db)
    this.queues = new QueueManager(this.db)
  }

  /**
   * A task whose arguments a Standard Schema validator declares: deferred with its input, run
   * with its output. `parents` declares the tasks its parents run (ctx.parents() is typed by them).
   */
  task<Schema extends StandardSchemaV1<any, TaskArgs>, Result, Parents extends ParentSpec = {}>(
    name: string,
    options: TaskOptions & { args: Schema; parents?: Parents },
    handler: TaskHandler<InferOutput<Schema>, Result, Parents>,
  ): Task<InferInput<Schema>, Result, InferOutput<Schema>, Parents>
  task<Args extends TaskArgs = TaskArgs, Result = unknown, Parents extends ParentSpec = {}>(
    name: string,
    options: TaskOptions & { parents?: Parents },
    handler: TaskHandler<Args, Result, Parents>,
  ): Task<Args, Result, Args, Parents>
  task(name: string, options: TaskOptions, handler: TaskHandler<TaskArgs, unknown, any>): Task<TaskArgs, unknown, TaskArgs, any> {
    if (this.tasks.has(name)) throw new ManaError('invalid_job', `task ${name} is defined twice`)
    // Refused here, naming the task, rather than by the database when a worker registers it.
    const problem =
      name.length === 0 || name.length > maxTaskNameLength
        ? `a task name has 1 to ${maxTaskNameLength} characters, not ${name.length}`
        : (jsonProblem(name, 'its name') ?? (options.queue !== undefined && !queueNameFits(options.queue) ? queueNameTooLong : undefined))
    if (problem) throw new ManaError('invalid_job', `task ${name.length > 60 ? `${name.slice(0, 60)}…` : name}: ${problem}`)
    const task = new Task(name, options, handler, this)
    this.tasks.set(name, task)
    return task
  }

  /**
   * Defers `task` on a cron schedule, once per tick however many workers run. The job gets
   * `args` plus `timestamp`, the tick's time in seconds since the epoch.
   */
  periodic(cron: string, task: Task<any, unknown>, options: { periodicId?: string; args?: TaskArgs } = {}): void {
    try {
      parseCron(cron)
    } catch (error) {
      throw new ManaError('invalid_job', `periodic ${task.name}: ${(error as Error).message}`)
    }
    this.periodicTasks.push({ cron, task, periodicId: options.periodicId ?? '', args: options.args ?? {} })
  }

  /**
   * Deletes old jobs: every `every` (default 1h; seconds or `30m`, `1h`, `1d`), one of the app's
   * workers (whichever asks first) deletes the finished jobs the rule matches, batch by batch
   * (`manana prune` does the same once). Call once per rule, e.g. succeeded after 7d, failed after
   * 30d: the rules run together, at the shortest of their periods.
   */
  retention(rule: RetentionRule & { every?: number | string }): void {
    checkedRule(rule) // refused now, not at the first run
    const everySeconds = ageSeconds(rule.every ?? '1h')
    if (everySeconds < 1) throw new ManaError('invalid_retention', `retention runs at most every second; got every ${rule.every}`)
    this.retentionRules.push({ olderThan: rule.olderThan, statuses: rule.statuses, queue: rule.queue, everySeconds })
  }

  /**
   * Defers jobs atomically; dependsOn may name existing ids and keys of jobs in the same call.
   * A job of a task this app defines takes the task's queue, priority and locks unless it sets its
   * own, and its arguments are checked by the task's validator (invalid_args; nothing deferred).
   */
  async defer(jobs: JobToDefer[], options: WorkflowOptions = {}): Promise<number[]> {
    return deferJobs(this.db, await this.prepare(jobs), options)
  }

  /** Jobs as they are deferred: with their tasks' queue, priority and locks, and checked arguments. */
  prepare(jobs: JobToDefer[]): Promise<JobToDefer[]> {
    return Promise.all(
      jobs.map(async (job) => {
        const task = this.tasks.get(job.task)
        const defaults = withTaskDefaults(job, task?.options)
        return task?.options.args ? { ...defaults, args: await task.parse(job.args ?? {}) } : defaults
      }),
    )
  }

  /**
   * Defers a DAG atomically: `{ a: { task: 'x' }, b: { task: 'y', dependsOn: ['a'] } }` → ids by
   * key; `{ name }` names the workflow in the console.
   */
  deferWorkflow<W extends Workflow>(workflow: W, options: WorkflowOptions = {}): Promise<Record<keyof W, number>> {
    return deferKeyed((jobs) => this.defer(jobs, options), workflow)
  }

  /**
   * Defines a workflow: `build` composes its steps from its input (checked by `input`, a Standard
   * Schema validator, when given); `.defer(input)` defers them atomically, in a new workflow
   * called `name` that records the input.
   */
  workflow<Schema extends StandardSchemaV1<any, TaskArgs>, Steps extends Record<string, Step> | void = void>(
    name: string,
    options: { input: Schema },
    build: (w: WorkflowBuilder, input: InferOutput<Schema>) => Steps,
  ): WorkflowDefinition<InferInput<Schema>, Steps, InferOutput<Schema>>
  workflow<Input extends TaskArgs = {}, Steps extends Record<string, Step> | void = void>(
    name: string,
    options: {},
    build: (w: WorkflowBuilder, input: Input) => Steps,
  ): WorkflowDefinition<Input, Steps>
  workflow(name: string, options: { input?: StandardSchemaV1<any, TaskArgs> }, build: (w: WorkflowBuilder, input: TaskArgs) => Record<string, Step> | void) {
    if (this.workflows.has(name)) throw new ManaError('invalid_job', `workflow ${name} is defined twice`)
    const definition = new WorkflowDefinition(name, options, build, { prepare: (jobs) => this.prepare(jobs), db: this.db })
    this.workflows.set(name, definition)
    // Its map steps' jobs: claimed by the workers that define it.
    this.task(mapTaskName(name), {}, ({ step }: { step: string }, ctx) => definition.runMap(step, ctx))
    return definition
  }

  /**
   * The pool, opened on first use: with `settings` when this call opens it (a worker sizes it by
   * its concurrency and names it); a pool already open, or given in the options, is used as it is.
   */
  async pool(settings: PoolSettings = {}): Promise<pg.Pool> {
    this.connection ??= this.connect({ applicationName: 'manana', ...settings })
    return (await this.connection).pool
  }

  /** Where a connection that needs a session goes: the direct URL when one is set, else where the pool goes. */
  async sessionConnection(): Promise<pg.ClientConfig> {
    const direct = this.options.directUrl ?? directUrlFromEnv()
    if (direct) return { connectionString: direct }
    const { connectionString, host, port, user, password, database, ssl } = (await this.pool()).options
    return { connectionString, host, port, user, password, database, ssl }
  }

  async close(): Promise<void> {
    if (!this.connection) return
    const { pool, database } = await this.connection
    this.connection = undefined
    if (pool !== this.options.pool) await pool.end()
    await database?.stop()
  }

  private async connect(settings: PoolSettings): Promise<{ pool: pg.Pool; database?: Database }> {
    if (this.options.pool) return { pool: this.options.pool }
    if (this.options.databaseUrl) return { pool: createPool(this.options.databaseUrl, settings) }
    const database = await openDatabase()
    return { pool: createPool(database.url, settings), database }
  }
}

export function createApp(options?: AppOptions): App {
  return new App(options)
}
