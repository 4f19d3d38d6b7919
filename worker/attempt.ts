// One attempt of a job: its task run with a context (parents, logger, abort signal), its timeout
// and trace, and what its end is to be recorded as. The worker records it (attempt-ends.ts).
import { format } from 'node:util'
import type { Tracer } from '@opentelemetry/api'
import type { App } from '../lib/queue/app.ts'
import { isManaError } from '../lib/queue/errors.ts'
import type { Job } from '../lib/queue/job.ts'
import { matchParents } from '../lib/queue/parents.ts'
import type { Queryable } from '../lib/queue/queryable.ts'
import { jobNodes } from '../lib/queue/defer.ts'
import type { JobContext, JobLogger, LogLevel, SpawnOptions, Task, TaskArgs } from '../lib/queue/task.ts'
import { activeTracer } from '../lib/observe/tracing.ts'
import { errorRecord, message, type LogRecord } from '../lib/observe/log.ts'
import type { AttemptEnd } from './attempt-ends.ts'
import type { JobLogs } from './job-logs.ts'
import { retryDelay } from './retry.ts'
import { startTracedRun, type TracedRun } from './run-traces.ts'
import type { Running, StopReason } from './slots.ts'

type Outcome =
  | { status: 'succeeded'; result: string; spawn?: Array<Record<string, unknown>> }
  | { status: 'failed'; error: unknown; retryIn: number | null }
  | { status: 'aborted' }
  | { status: 'released' }

/** A record about a job: its id, task, queue and workflow with the rest. */
export type SayOfJob = (level: LogRecord['level'], event: string, job: Job, message: string, facts?: Partial<LogRecord>) => void

export interface AttemptSetting {
  app: App
  db: Queryable
  jobLogs: JobLogs
  sayOfJob: SayOfJob
  /** The worker's id as the end is recorded (it registers anew when it was removed as gone). */
  workerId(): number
  /** Stops a running task (at its timeout). */
  stop(running: Running, reason: StopReason): void
}

export interface FinishedAttempt {
  /** What to record. */
  end: AttemptEnd
  /** What its log records said of it. */
  facts: Partial<LogRecord>
}

/**
 * Runs the job's task once and says how it ended. `taskDone` hears the moment the task returns or
 * throws (its slot is free), before its logs are written and the end is recorded.
 */
export async function runAttempt(running: Running, setting: AttemptSetting, taskDone: (ms: number) => void): Promise<FinishedAttempt> {
  const { job, controller } = running
  const { app, sayOfJob } = setting
  const task = app.tasks.get(job.task) as Task<any, unknown> | undefined
  const attempt = job.attempts + 1
  const started = performance.now()
  sayOfJob('info', 'job.started', job, `job ${job.id} ${job.task} started (attempt ${attempt})`, { attempt })
  const tracer = activeTracer()
  const traced = tracer && (await tracedRun(tracer, job, attempt, setting))
  let timer: NodeJS.Timeout | undefined
  let outcome: Outcome
  try {
    if (!task) throw new Error(`task ${job.task} is unknown to this worker`)
    const timeout = task.options.timeout
    if (timeout) timer = setTimeout(() => setting.stop(running, 'timeout'), timeout * 1000)
    const logger = loggerFor(job, attempt, setting)
    const context: JobContext = {
      job,
      attempt,
      signal: controller.signal,
      getParentStatuses: () => app.jobs.parentStatuses(job.id),
      getParentResults: () => app.jobs.parentResults(job.id),
      parents: async () => matchParents(task.options.parents ?? {}, await app.jobs.parentJobs(job.id), job.id),
      log: logger.info,
      logger,
      spawn: (task, args = {} as never, options = {}) => addSpawns(app, running, task, [args], options, false),
      spawnMany: (task, argsList, options = {}) => addSpawns(app, running, task, argsList, options, true),
    }
    const result = await Promise.race([
      task.parse(job.args).then((args) => (traced ? traced.span.within(() => task.handler(args, context)) : task.handler(args, context))),
      new Promise<never>((_, reject) => {
        const stop = () => reject(controller.signal.reason)
        if (controller.signal.aborted) stop() // stopped while its trace context was read
        else controller.signal.addEventListener('abort', stop)
      }),
    ])
    outcome = { status: 'succeeded', result: JSON.stringify(result === undefined ? null : result), spawn: running.spawned && spawnNodes(running.spawned) }
  } catch (error) {
    const reason = running.stopReason
    if (reason === 'abort') outcome = { status: 'aborted' }
    else if (reason === 'shutdown' || reason === 'lost') outcome = { status: 'released' }
    else {
      const failure = reason === 'timeout' ? new Error(`timed out after ${task!.options.timeout} s`) : error
      // Arguments its validator refuses, or parents other than it declared, stay so: no retry.
      const hopeless = isManaError(failure) && (failure.code === 'invalid_args' || failure.code === 'parents_mismatch')
      outcome = { status: 'failed', error: failure, retryIn: task && !hopeless ? retryDelay(task.options.retry, failure, job.attempts) : null }
    }
  } finally {
    clearTimeout(timer)
    taskDone(performance.now() - started)
  }
  // Said as the task ends (before the end is written: then the next attempt's start, which the
  // call writing this end may claim, is said after it).
  const ms = Math.round(performance.now() - started)
  const facts = { attempt, durationMs: ms, ...(outcome.status === 'failed' && { error: errorRecord(outcome.error) }) }
  const [level, event, words] = saidOf(outcome, running.stopReason)
  sayOfJob(level, event, job, `job ${job.id} ${job.task} ${words} in ${ms} ms`, facts)
  traced?.span.end(outcome.status, outcome.status === 'failed' ? outcome.error : undefined)
  await setting.jobLogs.ended(job.id, attempt) // never throws: a refused write is logged
  await traced?.stored // never throws either; a child's run links to this one once it is kept
  const end: AttemptEnd = {
    id: job.id,
    worker_id: setting.workerId(),
    attempts: job.attempts,
    outcome: outcome.status,
    ...(outcome.status === 'succeeded' && { result: outcome.result, ...(outcome.spawn && { spawn: outcome.spawn }) }),
    ...(outcome.status === 'failed' && { error: errorRecord(outcome.error), retry_in: outcome.retryIn }),
  }
  return { end, facts }
}

/**
 * Adds jobs to those the attempt spawns, with their tasks' defaults and their arguments checked.
 * (Here rather than a closure made for every attempt: most attempts spawn nothing.)
 */
async function addSpawns(app: App, running: Running, task: Task<any, any, any, any> | string, argsList: TaskArgs[], options: SpawnOptions, many: boolean): Promise<void> {
  const name = typeof task === 'string' ? task : task.name
  const { key, ...rest } = options
  const prepared = await app.prepare(argsList.map((args) => ({ ...rest, task: name, args, ...(!many && { key }) })))
  // spawnMany's key names its jobs key[0], key[1], …: numbered by manana_spawn_jobs, over all of the attempt's spawns.
  ;(running.spawned ??= []).push(...prepared.map((job) => ({ job, itemsOf: many ? key : undefined })))
}

/** manana_spawn_jobs's nodes: a deferred job's, with items_of for spawnMany's. */
function spawnNodes(spawned: NonNullable<Running['spawned']>): Array<Record<string, unknown>> {
  const nodes = jobNodes(spawned.map(({ job }) => job))
  return nodes.map((node, i) => (spawned[i]!.itemsOf === undefined ? node : { ...node, items_of: spawned[i]!.itemsOf }))
}

/** The attempt's span, when the application registered a tracer provider (never throws: without its trace, the job still runs). */
async function tracedRun(tracer: Tracer, job: Job, attempt: number, { db, sayOfJob }: AttemptSetting): Promise<TracedRun | undefined> {
  const failed = (what: string) => (error: unknown) => sayOfJob('warn', 'job.trace_failed', job, `job ${job.id} ${job.task}: could not ${what} its trace context: ${message(error)}`, { attempt })
  try {
    return await startTracedRun(tracer, db, job, attempt, failed('keep'))
  } catch (error) {
    failed('read')(error)
    return undefined
  }
}

/** A task's log lines: kept with its attempt, and printed in the worker's log (within the same limits). */
function loggerFor(job: Job, attempt: number, { jobLogs, sayOfJob }: AttemptSetting): JobLogger {
  const at = (level: LogLevel) => (...values: unknown[]) => {
    const printed = jobLogs.write(job.id, attempt, level, format(...values))
    if (!printed) return
    sayOfJob(printed.level, 'job.log', job, `job ${job.id} ${job.task}${printed.level === 'info' ? '' : ` ${printed.level}`}: ${printed.text}`, { attempt })
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** How an attempt's end is said: its level, its event and its words. */
function saidOf(outcome: Outcome, reason: StopReason | undefined): [LogRecord['level'], string, string] {
  switch (outcome.status) {
    case 'failed': {
      const words = `failed (${message(outcome.error)})`
      return outcome.retryIn === null ? ['error', 'job.failed', words] : ['warn', 'job.retry_scheduled', `${words}, retry in ${outcome.retryIn} s`]
    }
    case 'released':
      return reason === 'lost'
        ? ['warn', 'job.released', 'stopped: it may be run by another worker now (this one was cut off from the database, or the job was recovered from it)']
        : ['info', 'job.released', 'stopped by shutdown, back to todo']
    default:
      return ['info', `job.${outcome.status}`, outcome.status]
  }
}
