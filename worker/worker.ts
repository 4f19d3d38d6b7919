// The worker: claims ready jobs (the dependency gate is in SQL), runs them with a context,
// records how each attempt ended, and keeps the queue healthy (heartbeats, recovery of jobs
// left by dead workers, aborts, periodic tasks, graceful shutdown).
import os from 'node:os'
import { format } from 'node:util'
import pg from 'pg'
import type { Tracer } from '@opentelemetry/api'
import { packageVersion } from '../lib/db/project-root.ts'
import { checkSchema } from '../lib/db/schema-check.ts'
import { retryTransient } from '../lib/db/transient.ts'
import { activeTracer } from '../lib/observe/tracing.ts'
import type { App, PeriodicTask } from '../lib/queue/app.ts'
import { parseCron, type CronSchedule } from '../lib/queue/cron.ts'
import { isManaError } from '../lib/queue/errors.ts'
import { jobFromRow, type Job, type JobRow } from '../lib/queue/job.ts'
import { matchParents } from '../lib/queue/parents.ts'
import { pruneJobs } from '../lib/queue/prune.ts'
import { fromPg, type Queryable } from '../lib/queue/queryable.ts'
import { announcedArgsSchema, type JobContext, type JobLogger, type LogLevel, type Task } from '../lib/queue/task.ts'
import { AttemptEnds, type Claimer } from './attempt-ends.ts'
import { JobLogs } from './job-logs.ts'
import { serveEndpoints, type EndpointServer } from './endpoints.ts'
import { healthRoutes, type Health } from './health.ts'
import { WorkerMetrics } from './metrics.ts'
import { channelsFor, WorkerListener } from './listener.ts'
import { WorkflowRequests, workflowRequestsChannel } from './workflow-requests.ts'
import { errorRecord, lineLogger, logFormatFrom, message, type Log, type LogFormat, type Logger, type LogRecord } from '../lib/observe/log.ts'
import { retryDelay, retryStrategy } from './retry.ts'
import { startTracedRun, type TracedRun } from './run-traces.ts'

export type { Health } from './health.ts'
export type { LogFormat, Logger, LogRecord } from '../lib/observe/log.ts'

export interface WorkerOptions {
  /** Queues to take jobs from; all when unset. */
  queues?: string[] | null
  /** Jobs run at once in this process (default 10). */
  concurrency?: number
  /**
   * Most jobs claimed ahead of free slots (default 1,000; 0: claim only for free
   * slots). The worker claims ahead only as many as its slots will start within about one fetch
   * round trip, from the task and fetch times it measures, so slow tasks are never claimed ahead.
   */
  claimAhead?: number
  /**
   * Most connections its pool opens (default: concurrency + 1, at most 10), besides the one
   * session that listens and holds its liveness lock. A pool the app opened before is used as it is.
   */
  poolSize?: number
  /** Seconds between fetches when no notification arrives (default 5). */
  pollInterval?: number
  /** Seconds running jobs get to finish on shutdown before they are stopped and put back (default 30). */
  shutdownGrace?: number
  /** Exit once nothing is ready and nothing runs. */
  once?: boolean
  name?: string
  /**
   * Seconds between heartbeats (default 1). A worker whose listening connection closed (its
   * process died) is gone once three beats are missed: its jobs are recovered then.
   */
  heartbeatInterval?: number
  /**
   * Seconds without a heartbeat after which a worker is gone even though its connection is
   * open (it hangs), or when it holds no liveness lock (default 30).
   */
  staleAfter?: number
  /**
   * Serve GET /live and GET /ready on this port (0: any free one; see `servedPorts()`); none when
   * unset. Live while the worker's loop turns; ready while it is registered, its heartbeat reaches
   * the database and it listens for notifications.
   */
  healthPort?: number
  /**
   * The address the health port listens on. Default `0.0.0.0`, every IPv4 address: a container
   * platform's probes reach a pod by its own address. `127.0.0.1` keeps it to this machine.
   */
  healthHost?: string
  /** Serve GET /metrics (Prometheus's text format) on this port (0: any free one); none when unset. See `metricsText()`. */
  metricsPort?: number
  /** The address the metrics port listens on; default `0.0.0.0` (a Prometheus elsewhere scrapes it), as `healthHost`. */
  metricsHost?: string
  /**
   * Measure how long each claimed job waited since it became ready (the queue-wait histogram of
   * the metrics): one more query per claim. Default: on when `metricsPort` is set.
   */
  measureQueueWait?: boolean
  /**
   * Where the worker's records go, whole: the app's own logger (`(record) => pino[record.level](record, record.message)`).
   * Without it, they are written as lines (`logFormat`) to `log`, or to standard output.
   */
  logger?: Logger
  /** Lines as `text` (time, name, sentence) or `json` (one object per line); default MANANA_LOG_FORMAT, else text. */
  logFormat?: LogFormat
  /** Where the lines go (default: standard output). */
  log?: (line: string) => void
}

/** Why a running task is stopped; 'lost': the job was recovered from this worker, thought gone. */
type StopReason = 'abort' | 'timeout' | 'shutdown' | 'lost'
type Outcome =
  | { status: 'succeeded'; result: string }
  | { status: 'failed'; error: unknown; retryIn: number | null }
  | { status: 'aborted' }
  | { status: 'released' }

interface Running {
  job: Job
  controller: AbortController
  stopReason?: StopReason
  done?: Promise<void>
}

export class Worker {
  id?: number
  private readonly options: Required<Omit<WorkerOptions, 'queues' | 'log' | 'logger' | 'logFormat' | 'healthPort' | 'healthHost' | 'metricsPort' | 'metricsHost' | 'measureQueueWait'>> & { queues: string[] | null }
  private readonly measureQueueWait: boolean
  /** Queue-wait measurements on the wire (they never throw). */
  private readonly measuring = new Set<Promise<void>>()
  private readonly logger: Logger
  private readonly running = new Map<number, Running>()
  /** Jobs claimed (doing, this worker's) that no slot has started yet, in fetch order. */
  private queued: Array<{ job: Job; claimedAt: number }> = []
  private readonly timing = new Timing()
  /** Jobs asked for by claims on the wire (a fetch, or a call that also records ends). */
  private requested = 0
  /** Of those, the ones asked to start at once: free slots already promised. */
  private startsRequested = 0
  /** When the fetch loop last turned, and when a heartbeat last reached the database (performance.now()). */
  private lastTurn = performance.now()
  private lastBeat?: number
  /** When the last heartbeat that reached the database was sent: the database's record of it is no older. */
  private lastBeatSentAt = performance.now()
  /** Its beats every 0.1 s while its liveness lock is lost. */
  private rapidBeats?: NodeJS.Timeout
  /** A beat found it removed and registers it again. */
  private registering = false
  /** Workers that beat in the last 3 s, at its last beat: it checks for gone ones every 0.2 s times their number. */
  private liveWorkers = 1
  /** It stopped its jobs for want of a heartbeat, and has not beaten since. */
  private cutOff = false
  /** The ports asked for (0: any free one), and the servers on them once running. */
  private readonly ports: { health?: number; healthHost?: string; metrics?: number; metricsHost?: string }
  private readonly served: { health?: EndpointServer; metrics?: EndpointServer } = {}
  private readonly metrics = new WorkerMetrics()
  /** Tasks done whose end is not yet handed to attemptEnds (their logs are being written). */
  private ending = 0
  private db!: Queryable
  private pool!: pg.Pool
  private listener?: WorkerListener
  private attemptEnds!: AttemptEnds
  private jobLogs!: JobLogs
  private workflowRequests!: WorkflowRequests
  private stopping = false
  private wakeRequested = false
  private wakeUp?: () => void
  private readonly lastTicks = new Map<PeriodicTask, number>()
  private readonly schedules = new Map<PeriodicTask, CronSchedule>()
  /** Where its queues' jobs are announced (checked here: a queue name too long has none). */
  private readonly channels: string[]

  constructor(
    private readonly app: App,
    options: WorkerOptions = {},
  ) {
    this.options = {
      queues: options.queues?.length ? options.queues : null,
      concurrency: options.concurrency ?? 10,
      poolSize: options.poolSize ?? Math.min((options.concurrency ?? 10) + 1, 10),
      claimAhead: options.claimAhead ?? 1000,
      pollInterval: options.pollInterval ?? 5,
      shutdownGrace: options.shutdownGrace ?? 30,
      once: options.once ?? false,
      name: options.name ?? `${os.hostname()}-${process.pid}`,
      heartbeatInterval: options.heartbeatInterval ?? 1,
      staleAfter: options.staleAfter ?? 30,
    }
    this.ports = { health: options.healthPort, healthHost: options.healthHost, metrics: options.metricsPort, metricsHost: options.metricsHost }
    this.measureQueueWait = options.measureQueueWait ?? options.metricsPort !== undefined
    this.logger = options.logger ?? lineLogger(this.options.name, options.logFormat ?? logFormatFrom(process.env.MANANA_LOG_FORMAT, 'MANANA_LOG_FORMAT'), options.log)
    this.channels = channelsFor(this.options.queues)
    for (const periodic of app.periodicTasks) this.schedules.set(periodic, parseCron(periodic.cron))
  }

  /** Runs until stop() (or, with `once`, until nothing is left to do). */
  async run(): Promise<void> {
    this.pool = await this.app.pool({
      max: this.options.poolSize,
      applicationName: `manana-worker ${this.options.name}`,
      onConnectionLost: (error) => this.say('warn', 'worker.connection_lost', `a database connection was lost: ${error.message}`),
    })
    this.db = fromPg(this.pool)
    // A connection dying as it starts (a restart, a terminated backend) is ridden out, said.
    const notYet = (failure: unknown) => this.say('warn', 'worker.start_failed', `could not start yet (${message(failure)}); trying again`)
    await retryTransient(() => checkSchema(this.db), notYet)
    this.attemptEnds = new AttemptEnds(this.db, this.logAs('warn', 'worker.end_not_recorded'), this.claimer(), (ms) => this.metrics.roundTrip('end', ms))
    this.jobLogs = new JobLogs(this.db, this.logAs('warn', 'job.log_lines_lost'))
    // The endpoints first (a port in use fails the start before anything is registered); closed
    // again when the start fails, or they would keep the process up.
    try {
      if (this.ports.health !== undefined) this.served.health = await serveEndpoints(healthRoutes(() => this.health()), this.ports.health, this.ports.healthHost)
      if (this.ports.metrics !== undefined) this.served.metrics = await serveEndpoints(this.metrics.routes(() => this.gauges()), this.ports.metrics, this.ports.metricsHost)
      this.id = await retryTransient(() => this.register(), notYet)
    } catch (error) {
      await this.closeServed()
      throw error
    }
    this.lastBeat = performance.now()
    const { queues, concurrency } = this.options
    this.say('info', 'worker.started', `worker ${this.id} started: queues ${queues?.join(', ') ?? 'all'}, concurrency ${concurrency}, tasks ${[...this.app.tasks.keys()].join(', ') || 'none'}`)
    this.workflowRequests = new WorkflowRequests(this.pool, this.app, this.logAs('info', 'workflow.requested'))
    this.listener = new WorkerListener(
      { ...(await this.app.sessionConnection()), application_name: `manana-worker ${this.options.name}` },
      this.app.workflows.size ? [...this.channels, workflowRequestsChannel] : this.channels,
      {
        onJobReady: () => this.wake(),
        onAbortRequested: (id) => this.stopJob(id, 'abort'),
        onWorkflowRequested: (name) => this.app.workflows.has(name) && this.workflowRequests.wake(),
        onReconnected: () => {
          this.wake()
          this.workflowRequests.wake()
        },
        onLockLost: () => this.beatWhileLockLost(),
      },
      async (channel, payload) => void (await this.db.query('SELECT pg_notify($1, $2)', [channel, payload])),
      (level, event, message) => this.say(level, `worker.${event}`, message),
      this.id,
    )
    await this.listener.start()
    this.workflowRequests.wake() // those made before it listened
    this.lastBeatSentAt = performance.now()
    const stopBeating = this.every(this.options.heartbeatInterval, () => this.keepHealthy())
    // About five checks a second in all, whatever the number of workers.
    const stopRecovering = this.every(() => 0.2 * this.liveWorkers * (0.8 + 0.4 * Math.random()), () => this.recover())
    const stopWatching = this.every(this.options.heartbeatInterval, async () => this.stopJobsIfCutOff())
    const stopTicking = this.app.periodicTasks.length ? this.every(1, () => this.deferPeriodicTicks()) : async () => {}
    const rules = this.app.retentionRules
    const stopPruning = rules.length ? this.every(Math.min(60, ...rules.map((rule) => rule.everySeconds)), () => this.applyRetention()) : async () => {}
    try {
      await this.fetchLoop()
    } finally {
      await stopTicking()
      await stopPruning()
      await stopRecovering()
      await this.shutdown(async () => {
        await stopWatching()
        await stopBeating()
      })
    }
  }

  /**
   * Live while its loop turns (or it shuts down, finishing its jobs); ready while it is
   * registered, its heartbeat reaches the database and it listens for notifications.
   */
  health(): Health {
    const now = performance.now()
    const problems: string[] = []
    const stuckFor = (now - this.lastTurn) / 1000
    if (!this.stopping && stuckFor > Math.max(30, 3 * this.options.pollInterval)) problems.push(`its loop has not turned for ${Math.round(stuckFor)} s`)
    const live = problems.length === 0
    if (this.stopping) problems.push('it is shutting down')
    if (this.id === undefined) problems.push('it is not registered yet')
    else if (this.lastBeat === undefined || now - this.lastBeat > 3 * this.options.heartbeatInterval * 1000) problems.push('its heartbeat has not reached the database lately')
    if (this.listener?.problem) problems.push(this.listener.problem)
    else if (!this.listener?.listening) problems.push('it is not listening for notifications')
    return { live, ready: problems.length === 0, problems }
  }

  /** The ports /live and /ready, and /metrics, are served on (0 chooses one), once running. */
  servedPorts(): { health: number | undefined; metrics: number | undefined } {
    return { health: this.served.health?.port, metrics: this.served.metrics?.port }
  }

  /** This worker's metrics, in Prometheus's text format (what GET /metrics answers). */
  metricsText(): string {
    return this.metrics.text(this.gauges())
  }

  private gauges() {
    return { running: this.running.size, claimedAhead: this.queued.length }
  }

  /** Stops fetching; running jobs get the grace period to finish. */
  stop(): void {
    if (this.stopping) return
    this.stopping = true
    this.wake()
  }

  private async fetchLoop(): Promise<void> {
    while (!this.stopping) {
      this.lastTurn = performance.now()
      const wanted = this.wanted()
      if (wanted > 0 && !this.endsWillClaim()) {
        const startNow = this.startable(wanted)
        let jobs: Job[]
        // With `once`, only a fetch begun with every end written can tell that nothing is left:
        // one begun earlier may miss the children that those ends made ready.
        const idleAtStart = this.idle()
        this.requested += wanted
        this.startsRequested += startNow
        try {
          jobs = await this.fetch(wanted, startNow)
        } catch (error) {
          this.say('warn', 'worker.fetch_failed', `fetching failed: ${message(error)}; trying again`)
          await this.sleep(1)
          continue
        } finally {
          this.requested -= wanted
          this.startsRequested -= startNow
        }
        this.enqueue(jobs)
        if (jobs.length > 0) continue
        if (this.options.once && this.idle()) {
          if (idleAtStart) return
          continue
        }
      }
      await this.sleep(this.options.pollInterval)
    }
  }

  /**
   * Whether, with nothing running or claimed, ends are being recorded: the calls that record
   * them claim for the free slots, so the fetch loop waits for their answers. A fetch begun before
   * those ends are committed would take the slots and miss the children they make ready (a DAG
   * hop would take two round trips instead of one).
   */
  private endsWillClaim(): boolean {
    return this.running.size === 0 && this.queued.length === 0 && (this.ending > 0 || this.attemptEnds.busy)
  }

  /** Nothing runs, nothing claimed waits, no end is being written. */
  private idle(): boolean {
    return this.running.size === 0 && this.queued.length === 0 && this.ending === 0 && !this.attemptEnds.busy
  }

  /** Jobs to claim now: for the free slots and ahead of them, less what is claimed or asked for. */
  private wanted(): number {
    if (this.stopping) return 0
    return this.options.concurrency - this.running.size + this.aheadTarget() - this.queued.length - this.requested
  }

  /** Of `wanted` jobs, those free slots will start as soon as they arrive (the rest wait, claimed ahead). */
  private startable(wanted: number): number {
    return Math.max(0, Math.min(wanted, this.options.concurrency - this.running.size - this.queued.length - this.startsRequested))
  }

  /** Lets the calls that record ends claim the next jobs too (one round trip for both). */
  private claimer(): Claimer {
    const worker = this
    return {
      get queues() {
        return worker.options.queues
      },
      get workerId() {
        return worker.id!
      },
      reserve() {
        // Only when nothing claimed waits to run: then the next job is a round trip sooner (a
        // DAG hop is one commit, not two); a busy worker's fetches and ends run side by side.
        if (worker.queued.length || worker.stopping) return { wanted: 0, startNow: 0 }
        // At least for the slots no claim on the wire has promised (the one this end frees): a
        // fetch begun before the end was committed cannot see the children it makes ready.
        const startNow = worker.startable(worker.options.concurrency)
        const wanted = Math.max(startNow, worker.wanted())
        worker.requested += wanted
        worker.startsRequested += startNow
        return { wanted, startNow }
      },
      claimed(reserved, rows, ms) {
        worker.requested -= reserved.wanted
        worker.startsRequested -= reserved.startNow
        if (ms !== undefined) worker.timing.fetched(ms)
        worker.enqueue(rows.map(jobFromRow))
      },
    }
  }

  /**
   * How many jobs to hold claimed beyond the free slots: those the slots will start within about
   * one fetch round trip, judged from measured times (none until tasks have been timed).
   */
  private aheadTarget(): number {
    const { fetchMs, taskMs } = this.timing
    if (fetchMs === undefined || taskMs === undefined) return 0
    const startable = Math.floor((this.options.concurrency * fetchMs) / Math.max(taskMs, 0.001))
    return Math.min(this.options.claimAhead, startable)
  }

  /** Queues claimed jobs in fetch order (priority, then id) and starts what free slots can take. */
  private enqueue(jobs: Job[]): void {
    if (this.measureQueueWait && jobs.length) {
      const measuring = this.measureWaits(jobs).finally(() => this.measuring.delete(measuring))
      this.measuring.add(measuring)
    }
    const claimedAt = performance.now()
    for (const job of jobs) this.queued.push({ job, claimedAt })
    if (this.queued.length > jobs.length) this.queued.sort((a, b) => b.job.priority - a.job.priority || a.job.id - b.job.id)
    this.startQueued()
  }

  /** Starts queued jobs while slots are free: when jobs are claimed, and whenever a task ends. */
  private startQueued(): void {
    while (this.queued.length && this.running.size < this.options.concurrency && !this.stopping) this.start(this.queued.shift()!.job)
  }

  private async fetch(max: number, startNow: number): Promise<Job[]> {
    const started = performance.now()
    const rows = await this.db.query<{ job: JobRow }>(
      'SELECT to_jsonb(job) AS job FROM manana_fetch_jobs($1, $2, $3, $4) AS job',
      [this.options.queues, this.id, max, startNow],
    )
    const ms = performance.now() - started
    this.timing.fetched(ms)
    this.metrics.roundTrip('fetch', ms)
    return rows.map((row) => jobFromRow(row.job))
  }

  /** Observes how long claimed jobs waited: from when each became ready to its claim (its 'started' event), by the database's clock. */
  private async measureWaits(jobs: Job[]): Promise<void> {
    try {
      const rows = await this.db.query<{ id: string; wait: number | null }>(
        `SELECT claimed.id,
                extract(epoch FROM (SELECT max(event.at) FROM procrastinate_events AS event WHERE event.job_id = claimed.id AND event.type = 'started')
                                   - manana_job_ready_since(claimed.id, claimed.scheduled_at))::float8 AS wait
         FROM unnest($1::bigint[], $2::timestamptz[]) AS claimed (id, scheduled_at)`,
        [jobs.map((job) => job.id), jobs.map((job) => job.scheduledAt)],
      )
      const tasks = new Map(jobs.map((job) => [job.id, job.task]))
      for (const row of rows) if (row.wait !== null) this.metrics.queueWait(tasks.get(Number(row.id))!, Math.max(0, row.wait))
    } catch (error) {
      this.say('warn', 'worker.queue_wait_failed', `could not measure how long claimed jobs waited: ${message(error)}`)
    }
  }

  /** Ends the attempts of queued jobs without running them: back to todo, or aborted. */
  private unqueue(jobs: Job[], outcome: 'released' | 'aborted'): void {
    for (const job of jobs) {
      void this.attemptEnds.record({ id: job.id, worker_id: this.id!, outcome }).then((ended) => {
        if (!ended) return
        // Putting back is routine (a busy worker claimed more than its slots took): debug only.
        if (outcome === 'released') this.sayOfJob('debug', 'job.released', job, `job ${job.id} ${job.task} put back to todo before it started`)
        else this.sayOfJob('info', 'job.aborted', job, `job ${job.id} ${job.task} aborted before it started`)
      })
    }
  }

  private start(job: Job): void {
    const running: Running = { job, controller: new AbortController() }
    this.running.set(job.id, running)
    running.done = this.execute(running)
    // The database learns that a job claimed ahead started with the next call (ends batch with
    // it); were this worker lost before, its recovery counts the attempt all the same.
    if (job.claimedAhead) {
      void this.attemptEnds.record({ id: job.id, worker_id: this.id!, outcome: 'started' }).then((ours) => {
        if (!ours) this.stopJob(job.id, 'lost')
      })
    }
  }

  private async execute(running: Running): Promise<void> {
    const { job, controller } = running
    const task = this.app.tasks.get(job.task) as Task<any, unknown> | undefined
    const attempt = job.attempts + 1
    const started = performance.now()
    this.sayOfJob('info', 'job.started', job, `job ${job.id} ${job.task} started (attempt ${attempt})`, { attempt })
    const tracer = activeTracer()
    const traced = tracer && (await this.tracedRun(tracer, job, attempt))
    let timer: NodeJS.Timeout | undefined
    let outcome: Outcome
    try {
      if (!task) throw new Error(`task ${job.task} is unknown to this worker`)
      const timeout = task.options.timeout
      if (timeout) timer = setTimeout(() => this.stopRunning(running, 'timeout'), timeout * 1000)
      const logger = this.loggerFor(job, attempt)
      const context: JobContext = {
        job,
        attempt,
        signal: controller.signal,
        getParentStatuses: () => this.app.jobs.parentStatuses(job.id),
        getParentResults: () => this.app.jobs.parentResults(job.id),
        parents: async () => matchParents(task.options.parents ?? {}, await this.app.jobs.parentJobs(job.id), job.id),
        log: logger.info,
        logger,
      }
      const result = await Promise.race([
        task.parse(job.args).then((args) => (traced ? traced.span.within(() => task.handler(args, context)) : task.handler(args, context))),
        new Promise<never>((_, reject) => {
          const stop = () => reject(controller.signal.reason)
          if (controller.signal.aborted) stop() // stopped while its trace context was read
          else controller.signal.addEventListener('abort', stop)
        }),
      ])
      outcome = { status: 'succeeded', result: JSON.stringify(result === undefined ? null : result) }
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
      this.timing.ran(performance.now() - started)
      // The task is done: its slot takes the next job while the end is being recorded. With
      // nothing claimed left, the call that records the end claims for the slot (a child this
      // end makes ready among them): a fetch begun now would race it for the same jobs.
      this.ending++
      this.running.delete(job.id)
      this.startQueued()
      this.wake()
    }
    // Said as the task ends (before the end is written: then the next attempt's start, which the
    // call writing this end may claim, is said after it).
    const ms = Math.round(performance.now() - started)
    const facts = { attempt, durationMs: ms, ...(outcome.status === 'failed' && { error: errorRecord(outcome.error) }) }
    const [level, event, words] = saidOf(outcome, running.stopReason)
    this.sayOfJob(level, event, job, `job ${job.id} ${job.task} ${words} in ${ms} ms`, facts)
    traced?.span.end(outcome.status, outcome.status === 'failed' ? outcome.error : undefined)
    await this.jobLogs.ended(job.id, attempt) // never throws: a refused write is logged
    await traced?.stored // never throws either; a child's run links to this one once it is kept
    const recording = this.attemptEnds.record({
      id: job.id,
      worker_id: this.id!,
      outcome: outcome.status,
      ...(outcome.status === 'succeeded' && { result: outcome.result }),
      ...(outcome.status === 'failed' && { error: errorRecord(outcome.error), retry_in: outcome.retryIn }),
    })
    this.ending-- // attemptEnds is busy with it now
    const ended = await recording
    this.wake() // with `once`, a recorded end may have made children ready, or left nothing to do
    if (!ended) {
      this.sayOfJob('warn', 'job.outcome_dropped', job, `job ${job.id} ${job.task}: its ${outcome.status} was not recorded: the job is no longer this worker's (it was recovered from this worker, thought gone)`, facts)
    }
  }

  /** The attempt's span, when the application registered a tracer provider (never throws: without its trace, the job still runs). */
  private async tracedRun(tracer: Tracer, job: Job, attempt: number): Promise<TracedRun | undefined> {
    const failed = (what: string) => (error: unknown) => this.sayOfJob('warn', 'job.trace_failed', job, `job ${job.id} ${job.task}: could not ${what} its trace context: ${message(error)}`, { attempt })
    try {
      return await startTracedRun(tracer, this.db, job, attempt, failed('keep'))
    } catch (error) {
      failed('read')(error)
      return undefined
    }
  }

  /** A task's log lines: kept with its attempt, and printed in the worker's log (within the same limits). */
  private loggerFor(job: Job, attempt: number): JobLogger {
    const at = (level: LogLevel) => (...values: unknown[]) => {
      const printed = this.jobLogs.write(job.id, attempt, level, format(...values))
      if (!printed) return
      this.sayOfJob(printed.level, 'job.log', job, `job ${job.id} ${job.task}${printed.level === 'info' ? '' : ` ${printed.level}`}: ${printed.text}`, { attempt })
    }
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
  }

  private stopJob(jobId: number, reason: StopReason): void {
    const running = this.running.get(jobId)
    if (running) this.stopRunning(running, reason)
    const queued = this.queued.findIndex((item) => item.job.id === jobId)
    if (queued >= 0 && reason === 'abort') this.unqueue(this.queued.splice(queued, 1).map((item) => item.job), 'aborted')
  }

  private stopRunning(running: Running, reason: StopReason): void {
    if (running.stopReason) return
    running.stopReason = reason
    this.sayOfJob('info', 'job.stopping', running.job, `job ${running.job.id} ${running.job.task}: stopping (${reason})`)
    running.controller.abort(new Error(reason))
  }

  /**
   * Others judge a worker dead once it was seen without its liveness lock for lockGrace and has not
   * beaten since: while its lock is lost (its session dropped; it reconnects), it beats every 0.1 s.
   */
  private beatWhileLockLost(): void {
    if (this.rapidBeats) return
    let beating: Promise<void> | undefined
    const beatOnce = () =>
      (beating ??= this.beat()
        .catch((error) => this.say('warn', 'worker.heartbeat_failed', `heartbeat failed: ${message(error)}`))
        .finally(() => (beating = undefined)))
    this.rapidBeats = setInterval(() => {
      if (this.listener?.lockLost) return void beatOnce()
      clearInterval(this.rapidBeats)
      this.rapidBeats = undefined
    }, 100)
    void beatOnce() // at once too
  }

  /** Its heartbeat; registers again when it was removed as gone meanwhile; stops when an operator asked it to. */
  private async beat(): Promise<void> {
    const sentAt = performance.now()
    const [beat] = await this.db.query<{ registered: boolean | null; workers: number; stop_requested_by: string | null }>(
      `SELECT manana_heartbeat($1) AS registered, (SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - interval '3 seconds')::int AS workers,
              (SELECT coalesce(stop_requested_by, 'someone') FROM procrastinate_workers WHERE id = $1 AND stop_requested_at IS NOT NULL) AS stop_requested_by`,
      [this.id],
    )
    if (beat!.stop_requested_by !== null && !this.stopping) {
      this.say('info', 'worker.stop_requested', `asked to stop by ${beat!.stop_requested_by}: finishing its running jobs, then stopping`)
      this.stop()
    }
    this.lastBeat = performance.now()
    this.lastBeatSentAt = Math.max(this.lastBeatSentAt, sentAt)
    this.liveWorkers = Math.max(1, beat!.workers)
    this.cutOff = false
    if (!beat!.registered && !this.stopping && !this.registering) {
      this.say('warn', 'worker.registered_again', `worker ${this.id} was removed as gone by another worker (its heartbeat was late); registering again`)
      this.registering = true
      try {
        this.id = await this.register()
        await this.listener?.holdLockFor(this.id)
      } finally {
        this.registering = false
      }
    }
  }

  /** Heartbeat, then the rest of its upkeep: claims that waited too long go back, missed aborts. */
  private async keepHealthy(): Promise<void> {
    try {
      await this.beat()
      // Jobs claimed ahead that waited a whole heartbeat (tasks turned slow) go back for others.
      const waitedSince = performance.now() - this.options.heartbeatInterval * 1000
      const waited = this.queued.filter((item) => item.claimedAt < waitedSince)
      if (waited.length) {
        this.timing.taskMs = undefined // tasks are slower than measured: claim none ahead until one ends
        this.queued = this.queued.filter((item) => item.claimedAt >= waitedSince)
        this.unqueue(waited.map((item) => item.job), 'released')
      }
      const ours = [...this.running.keys(), ...this.queued.map((item) => item.job.id)]
      if (ours.length) {
        const rows = await this.db.query<{ id: string }>(
          'SELECT id FROM procrastinate_jobs WHERE id = ANY ($1) AND abort_requested',
          [ours],
        )
        for (const row of rows) this.stopJob(Number(row.id), 'abort')
      }
    } catch (error) {
      this.say('warn', 'worker.heartbeat_failed', `heartbeat failed: ${message(error)}`)
    }
  }

  /**
   * A worker that could not record a heartbeat for nearly the stale-after time may be judged gone
   * by the others, who would run its jobs again: it stops them first (their signals fire; their
   * outcomes are not recorded, or only as released if nobody took them), so that no job runs in two
   * places at once, even across a network partition. Checked on a timer of its own: the
   * heartbeat's query may hang until the connection times out.
   */
  private stopJobsIfCutOff(): void {
    const { staleAfter, heartbeatInterval } = this.options
    const silentFor = (performance.now() - this.lastBeatSentAt) / 1000
    // A margin of two beats (at least a second, at most half the time) for its tasks to stop.
    if (silentFor < staleAfter - Math.min(Math.max(2 * heartbeatInterval, 1), staleAfter / 2) || this.cutOff) return
    this.cutOff = true
    const running = [...this.running.values()]
    if (!running.length && !this.queued.length) return
    this.say(
      'error',
      'worker.cut_off',
      `no heartbeat has reached the database for ${Math.round(silentFor)} s: other workers may take its jobs at ${staleAfter} s, so it stops its ${running.length} running job(s) and puts back the ones claimed ahead`,
    )
    for (const job of running) this.stopRunning(job, 'lost')
    this.unqueue(this.queued.splice(0).map((item) => item.job), 'released')
  }

  /** Recovers the jobs of gone workers (never fails: said, and tried again at the next check). */
  private async recover(): Promise<void> {
    try {
      await this.recoverStalledJobs()
    } catch (error) {
      this.say('warn', 'worker.recovery_failed', `could not recover the jobs of gone workers: ${message(error)}`)
    }
  }

  /**
   * Ends the attempts that gone workers left, each failed and retried as its task's strategy says
   * (it may have run to its end, unrecorded), with an error saying what is known. A job claimed
   * ahead whose start was not recorded counts an attempt too: its worker may have begun it in the
   * moment before it died, and a job must never run twice while its attempts say 1.
   */
  private async recoverStalledJobs(): Promise<void> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<StalledJob>('SELECT * FROM manana_claim_stalled_jobs($1)', [this.options.staleAfter])
      for (const stalled of rows) {
        const job = jobFromRow(stalled.job)
        const lost = lostWorker(stalled, this.options.staleAfter)
        const error = new Error(
          stalled.started
            ? `${lost} while this attempt ran; whether the task finished is not known`
            : `${lost} after claiming this job ahead of a free slot; whether its task started is not known`,
        )
        const task = this.app.tasks.get(job.task)
        const retryIn = task ? retryDelay(task.options.retry, error, job.attempts) : null
        await client.query('SELECT manana_end_attempt($1, NULL, $2, NULL, $3::jsonb, $4)', [job.id, 'failed', errorRecord(error), retryIn])
        this.sayOfJob('warn', 'worker.recovered_jobs', job, `job ${job.id} ${job.task} recovered: ${error.message}; ${retryIn === null ? 'failed' : `retry in ${retryIn} s`}`, { attempt: job.attempts + 1, error: errorRecord(error) })
      }
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }

  /**
   * Defers the ticks of periodic tasks since the last check (a minute at most), each once,
   * whoever is first. Ticks before this worker started are not made up for.
   */
  private async deferPeriodicTicks(): Promise<void> {
    if (this.stopping) return
    const now = Math.floor(Date.now() / 1000)
    for (const periodic of this.app.periodicTasks) {
      const schedule = this.schedules.get(periodic)!
      const step = schedule.resolution
      const last = Math.max(this.lastTicks.get(periodic) ?? now - 1, now - 60)
      for (let tick = last - (last % step) + step; tick <= now; tick += step) {
        this.lastTicks.set(periodic, tick)
        if (!schedule.matches(new Date(tick * 1000))) continue
        const { task } = periodic
        try {
          const [row] = await this.db.query<{ id: string | null }>(
            'SELECT procrastinate_defer_periodic_job_v2($1, $2, $3, $4, $5, $6, $7, $8) AS id',
            [
              task.options.queue ?? 'default',
              task.options.lock ?? null,
              task.options.queueingLock ?? null,
              task.name,
              task.options.priority ?? 0,
              periodic.periodicId,
              tick,
              JSON.stringify({ ...periodic.args, timestamp: tick }),
            ],
          )
          if (row!.id !== null) this.say('info', 'periodic.deferred', `periodic ${task.name}: job ${row!.id} deferred for ${new Date(tick * 1000).toISOString()}`, { job: Number(row!.id), task: task.name })
        } catch (error) {
          this.say('error', 'periodic.defer_failed', `periodic ${task.name}: could not defer the tick of ${new Date(tick * 1000).toISOString()}: ${message(error)}`, { task: task.name, error: errorRecord(error) })
        }
      }
    }
  }

  /** The app's retention rules, when this worker is the first to ask since the shortest rule's period passed. */
  private async applyRetention(): Promise<void> {
    if (this.stopping) return
    try {
      const every = Math.min(...this.app.retentionRules.map((rule) => rule.everySeconds))
      const [turn] = await this.db.query<{ ours: boolean }>('SELECT manana_claim_retention_run($1) AS ours', [every])
      if (!turn!.ours) return
      for (const rule of this.app.retentionRules) {
        const deleted = await pruneJobs(this.db, rule)
        const which = `${rule.statuses?.join(', ') ?? 'finished'} jobs${rule.queue ? ` of queue ${rule.queue}` : ''} older than ${rule.olderThan}`
        this.say('info', 'retention.pruned', `retention: deleted ${deleted} ${which}`)
      }
    } catch (error) {
      this.say('error', 'retention.failed', `retention: could not delete old jobs: ${message(error)}`, { error: errorRecord(error) })
    }
  }

  private async register(): Promise<number> {
    const tasks = [...this.app.tasks.values()].map((task) => {
      const { retryOn, ...strategy } = retryStrategy(task.options.retry) ?? {}
      return {
        name: task.name,
        queue_name: task.options.queue ?? 'default',
        priority: task.options.priority ?? 0,
        lock: task.options.lock ?? null,
        queueing_lock: task.options.queueingLock ?? null,
        retry: task.options.retry ? { ...strategy, ...(retryOn ? { retryOn: 'some errors' } : {}) } : null,
        timeout_seconds: task.options.timeout ?? null,
        args_schema: announcedArgsSchema(task.options),
      }
    })
    // Judged by the lock rule of this release: it beats every 0.1 s while it has lost its lock.
    const [row] = await this.db.query<{ id: string }>('SELECT manana_register_worker($1, $2, $3, $4, $5, $6, $7, $8, $9) AS id', [
      this.options.name,
      os.hostname(),
      process.pid,
      this.options.queues,
      this.options.concurrency,
      JSON.stringify(tasks),
      this.options.heartbeatInterval,
      lockGrace,
      packageVersion(),
    ])
    if (this.app.periodicTasks.length) {
      const schedules = this.app.periodicTasks.map(({ cron, task, periodicId, args }) => ({
        task_name: task.name, periodic_id: periodicId, cron, queue_name: task.options.queue ?? 'default', args,
      }))
      await this.db.query('SELECT manana_announce_schedules($1)', [JSON.stringify(schedules)])
    }
    if (this.app.workflows.size) {
      const workflows = [...this.app.workflows.values()].map((workflow) => ({ name: workflow.name, input_schema: workflow.inputSchema() }))
      await this.db.query('SELECT manana_announce_workflows($1)', [JSON.stringify(workflows)])
    }
    return Number(row!.id)
  }

  /**
   * Finishes or puts back its jobs, then unregisters. Until then it beats, holds its liveness lock
   * and listens (aborts still arrive): the jobs it runs are its own to the end.
   */
  private async shutdown(stopBeating: () => Promise<void>): Promise<void> {
    this.unqueue(this.queued.splice(0).map((item) => item.job), 'released')
    const pending = () => [...this.running.values()].map((running) => running.done)
    if (this.running.size) {
      this.say('info', 'worker.stopping', `shutting down: waiting up to ${this.options.shutdownGrace} s for ${this.running.size} running job(s)`)
      let graceOver: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.allSettled(pending()),
        new Promise((resolve) => (graceOver = setTimeout(resolve, this.options.shutdownGrace * 1000))),
      ])
      clearTimeout(graceOver)
      for (const running of this.running.values()) this.stopRunning(running, 'shutdown')
      await Promise.allSettled(pending())
    }
    await this.attemptEnds.settled()
    // Jobs claimed by calls that were on the wire when we stopped go back too.
    while (this.queued.length) {
      this.unqueue(this.queued.splice(0).map((item) => item.job), 'released')
      await this.attemptEnds.settled()
    }
    await this.workflowRequests.settled()
    await Promise.all(this.measuring)
    await stopBeating()
    clearInterval(this.rapidBeats)
    await this.listener?.close()
    await this.db.query('SELECT procrastinate_unregister_worker_v1($1)', [this.id]).catch(() => {})
    await this.closeServed()
    this.say('info', 'worker.stopped', `worker ${this.id} stopped`)
  }

  private async closeServed(): Promise<void> {
    const servers = Object.values(this.served)
    delete this.served.health
    delete this.served.metrics
    await Promise.all(servers.map((server) => server.close()))
  }

  /** A record of the worker's, with its id. */
  private say(level: LogRecord['level'], event: string, message: string, facts: Partial<LogRecord> = {}): void {
    const record: LogRecord = { level, event, message, ...(this.id !== undefined && { worker: this.id }), ...facts }
    this.metrics.observe(record)
    this.logger(record)
  }

  /** A record about a job: its id, task, queue and workflow with the rest. */
  private sayOfJob(level: LogRecord['level'], event: string, job: Job, message: string, facts: Partial<LogRecord> = {}): void {
    this.say(level, event, message, { job: job.id, task: job.task, queue: job.queue, workflow: job.workflowId, ...facts })
  }

  /** What a component that reports now and then writes through. */
  private logAs(level: LogRecord['level'], event: string): Log {
    return (message) => this.say(level, event, message)
  }

  /**
   * Runs `action` after `seconds` (a number, or asked anew each time), again and again, never two
   * at once; the function returned stops it and waits for a run under way.
   */
  private every(seconds: number | (() => number), action: () => Promise<void>): () => Promise<void> {
    let stopped = false
    let timer: NodeJS.Timeout | undefined
    let running: Promise<void> | undefined
    const next = () => {
      if (stopped) return
      timer = setTimeout(() => {
        running = action().finally(() => {
          running = undefined
          next()
        })
      }, (typeof seconds === 'number' ? seconds : seconds()) * 1000)
    }
    next()
    return async () => {
      stopped = true
      clearTimeout(timer)
      await running
    }
  }

  private wake(): void {
    this.wakeRequested = true
    this.wakeUp?.()
  }

  /** Sleeps until woken (a notification, a finished job, stop()) or `seconds` pass. */
  private async sleep(seconds: number): Promise<void> {
    if (!this.wakeRequested) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000)
        this.wakeUp = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wakeUp = undefined
    }
    this.wakeRequested = false
  }
}

/** A row of manana_claim_stalled_jobs: a job a gone worker left, and what is known of the worker. */
interface StalledJob {
  job: JobRow
  /** Its start was recorded (not merely claimed ahead). */
  started: boolean
  known_by: 'connection' | 'heartbeat' | 'pruned'
  worker: { id: number; name: string | null; host: string | null; pid: number | null } | null
}

/**
 * Seconds a worker may be seen without its liveness lock, not beating since, before the others take
 * its jobs: four of the beats it sends every 0.1 s while it reconnects.
 */
const lockGrace = 0.4

/** How a stalled job's worker was lost, as far as is known: a sentence's subject and verb. */
function lostWorker({ known_by, worker }: StalledJob, staleAfter: number): string {
  const who = worker
    ? `worker ${worker.id}${worker.name ? ` "${worker.name}"` : ''}${worker.pid ? ` (pid ${worker.pid}${worker.host ? ` on ${worker.host}` : ''})` : ''}`
    : 'its worker'
  switch (known_by) {
    case 'connection':
      return `${who} was lost: its database connection closed (the process exited or was killed)`
    case 'heartbeat':
      return `${who} stopped sending heartbeats (none for ${staleAfter} s)`
    case 'pruned':
      return `its worker was removed as stalled (no heartbeat for ${staleAfter} s)`
  }
}

/** Moving averages of a task's run and of a fetch round trip, in ms (undefined until measured). */
class Timing {
  taskMs?: number
  fetchMs?: number

  ran(ms: number): void {
    this.taskMs = average(this.taskMs, ms)
  }

  fetched(ms: number): void {
    this.fetchMs = average(this.fetchMs, ms)
  }
}

const average = (previous: number | undefined, sample: number) => (previous === undefined ? sample : previous * 0.9 + sample * 0.1)

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
