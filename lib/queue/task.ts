import type { DeferOptions, JobToDefer } from './defer.ts'
import { jsonSchemaOf, validateArgs, type StandardSchemaV1 } from './standard-schema.ts'
import type { Job, JobStatus } from './job.ts'
import type { ParentSpec, ParentsOf } from './parents.ts'
import type { LogLevel } from '../observe/log.ts'

/** What a running task is given besides its arguments; `Parents`: the parents its task declared. */
export interface JobContext<Parents extends ParentSpec = {}> {
  job: Job
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  /** Fires when the job is aborted, times out, or the worker shuts down. */
  signal: AbortSignal
  getParentStatuses(): Promise<Record<number, JobStatus>>
  getParentResults(): Promise<Record<number, unknown>>
  /** The declared parents, by key, with their statuses and (typed) results; parents_mismatch when they are not what was declared. */
  parents(): Promise<ParentsOf<Parents>>
  /** Writes a log line (as console.log formats its arguments), kept with this attempt and shown on the job's page; the same as logger.info. */
  log(...values: unknown[]): void
  logger: JobLogger
  /**
   * Adds a job to this job's workflow, deferred with this attempt's success, in the same
   * transaction: a child of this job, and every job that depends on this one waits for it too. A
   * failed, aborted or lost attempt spawns nothing; a retry starts from nothing. Its arguments are
   * checked now (invalid_args); a workflow holds at most 10,000 jobs, spawned ones included (more:
   * this attempt fails, workflow_too_large).
   */
  spawn<A extends TaskArgs>(task: Task<A, any, any, any> | string, args?: A, options?: SpawnOptions): Promise<void>
  /** spawn() for each of `argsList`, in order (their ids ascend in that order); with `key`, the jobs are `key[0]`, `key[1]`, … */
  spawnMany<A extends TaskArgs>(task: Task<A, any, any, any> | string, argsList: A[], options?: SpawnOptions): Promise<void>
}

/** A spawned job's options: a deferred job's, but its parent is the job that spawns it. */
export type SpawnOptions = Omit<DeferOptions, 'dependsOn' | 'runWhen'> & {
  /** The step it is in the workflow (shown in the console's graph). */
  key?: string
}

export type { LogLevel }
/** Log lines at a level, kept with the attempt (at most 1,000 per attempt, 4,000 characters per line). */
export type JobLogger = Record<LogLevel, (...values: unknown[]) => void>

export type TaskArgs = Record<string, unknown>
export type TaskHandler<Args extends TaskArgs, Result, Parents extends ParentSpec = {}> = (args: Args, context: JobContext<Parents>) => Promise<Result> | Result

/** When and how often a failed job runs again (Procrastinate's RetryStrategy). */
export interface RetryStrategy {
  /** Retries at most this many times (Procrastinate's max_attempts); unlimited when unset. */
  maxAttempts?: number
  /** Seconds to wait before each retry… */
  wait?: number
  /** …plus this many seconds times the number of attempts so far… */
  linearWait?: number
  /** …plus this to the power of (attempts + 1). */
  exponentialWait?: number
  /** Retry only errors for which this says true (default: all). */
  retryOn?: (error: unknown) => boolean
}

export interface TaskOptions {
  queue?: string
  priority?: number
  lock?: string
  queueingLock?: string
  /** A strategy, a number of retries, or true for unlimited immediate retries. */
  retry?: RetryStrategy | number | boolean
  /** Seconds an attempt may run before it fails. */
  timeout?: number
  /**
   * The arguments' validator (any Standard Schema: zod, valibot…): deferring checks them with it
   * (invalid_args naming the field) and stores what it returns (defaults filled in); the worker
   * checks them again before the task runs (jobs deferred by name, from Python or the console);
   * its JSON Schema is announced for the console's forms.
   */
  args?: StandardSchemaV1<any, TaskArgs>
  /** A JSON Schema of the arguments, shown and checked by the console's defer form (from `args` when that gives one). */
  argsSchema?: Record<string, unknown>
  /** The tasks its parents run, by key: { process: processData }, or { downloads: [downloadData] } for any number (see ctx.parents()). */
  parents?: ParentSpec
}

/** What a worker announces of a task's arguments: `args`'s JSON Schema, else `argsSchema`. */
export const announcedArgsSchema = (options: TaskOptions) => (options.args && jsonSchemaOf(options.args)) ?? options.argsSchema ?? null

interface Deferrer {
  defer(jobs: JobToDefer[]): Promise<number[]>
}

/**
 * A task: deferred with `Args`; its handler gets `Parsed` (what its `args` validator makes of
 * them) and returns `Result`; `Parents`: the tasks it declared its parents run.
 */
export class Task<Args extends TaskArgs = TaskArgs, Result = unknown, Parsed extends TaskArgs = Args, Parents extends ParentSpec = {}> {
  constructor(
    readonly name: string,
    readonly options: TaskOptions,
    readonly handler: TaskHandler<Parsed, Result, Parents>,
    private readonly deferrer: Deferrer,
  ) {}

  /** The arguments the handler gets: checked by the task's validator, if it has one. */
  async parse(args: unknown): Promise<Parsed> {
    return (this.options.args ? await validateArgs(this.options.args, args, `task ${this.name}`) : args) as Parsed
  }

  /** The same task with options for the next defer (parents, priority, schedule…). */
  configure(options: DeferOptions): { defer(args: Args): Promise<number> } {
    return { defer: (args) => this.deferWith(options, args) }
  }

  defer(args: Args): Promise<number> {
    return this.deferWith({}, args)
  }

  private async deferWith(options: DeferOptions, args: Args): Promise<number> {
    // The deferrer (the app) fills in this task's queue, priority and locks.
    const [id] = await this.deferrer.defer([{ task: this.name, ...options, args }])
    return id!
  }
}
