// The worker: claims ready jobs (the dependency gate is in SQL), runs them with a context,
// records how each attempt ended, and keeps the queue healthy (heartbeats, recovery of jobs
// left by dead workers, aborts, periodic tasks, graceful shutdown). Here: its options, its start
// and stop, and the fetch loop; each concern in a file of its own (slots.ts, attempt.ts,
// liveness.ts, recovery.ts, periodic-ticks.ts, retention.ts; the SQL in queries.ts).
import os from 'node:os'
import type pg from 'pg'
import { checkSchema } from '../lib/db/schema-check.ts'
import { retryTransient } from '../lib/db/transient.ts'
import type { App } from '../lib/queue/app.ts'
import type { Job } from '../lib/queue/job.ts'
import { fromPg, type Queryable } from '../lib/queue/queryable.ts'
import { defaultStaleAfter } from '../lib/queue/workers.ts'
import { lineLogger, logFormatFrom, message, type Log, type LogFormat, type Logger, type LogRecord } from '../lib/observe/log.ts'
import { serveEndpoints, type EndpointServer } from './endpoints.ts'
import { every } from './every.ts'
import { healthRoutes, type Health } from './health.ts'
import { channelsFor, WorkerListener } from './listener.ts'
import { Liveness } from './liveness.ts'
import { WorkerMetrics } from './metrics.ts'
import { PeriodicTicks } from './periodic-ticks.ts'
import { unregisterWorker } from './queries.ts'
import { recoverStalledJobs } from './recovery.ts'
import { applyRetention, retentionPeriod } from './retention.ts'
import { Runner } from './runner.ts'
import { WorkflowRequests, workflowRequestsChannel } from './workflow-requests.ts'

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
  /** Seconds between heartbeats (default 1). A worker whose session died is gone within a second (its liveness lock). */
  heartbeatInterval?: number
  /** Seconds without a heartbeat after which a worker is gone though its session lives (it hangs); default 30, the same for every worker. */
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

/** The options, with their defaults. */
function settingsOf(options: WorkerOptions) {
  const concurrency = options.concurrency ?? 10
  return {
    ...options,
    queues: options.queues?.length ? options.queues : null,
    concurrency,
    poolSize: options.poolSize ?? Math.min(concurrency + 1, 10),
    claimAhead: options.claimAhead ?? 1000,
    pollInterval: options.pollInterval ?? 5,
    shutdownGrace: options.shutdownGrace ?? 30,
    once: options.once ?? false,
    name: options.name ?? `${os.hostname()}-${process.pid}`,
    heartbeatInterval: options.heartbeatInterval ?? 1,
    staleAfter: options.staleAfter ?? defaultStaleAfter,
    measureQueueWait: options.measureQueueWait ?? options.metricsPort !== undefined,
  }
}

export class Worker {
  private readonly options: ReturnType<typeof settingsOf>
  private readonly logger: Logger
  /** When the fetch loop last turned (performance.now()). */
  private lastTurn = performance.now()
  /** The servers on the ports asked for, once running. */
  private readonly served: { health?: EndpointServer; metrics?: EndpointServer } = {}
  private readonly metrics = new WorkerMetrics()
  private db!: Queryable
  private pool!: pg.Pool
  private liveness!: Liveness
  private listener?: WorkerListener
  private runner!: Runner
  private workflowRequests!: WorkflowRequests
  private stopping = false
  private wakeRequested = false
  private wakeUp?: () => void
  /** Where its queues' jobs are announced (checked here: a queue name too long has none). */
  private readonly channels: string[]

  constructor(
    private readonly app: App,
    options: WorkerOptions = {},
  ) {
    this.options = settingsOf(options)
    this.logger = options.logger ?? lineLogger(this.options.name, options.logFormat ?? logFormatFrom(process.env.MANANA_LOG_FORMAT, 'MANANA_LOG_FORMAT'), options.log)
    this.channels = channelsFor(this.options.queues)
  }

  /** Its id in procrastinate_workers, once registered. */
  get id(): number | undefined {
    return this.liveness?.id
  }

  /** Runs until stop() (or, with `once`, until nothing is left to do). */
  async run(): Promise<void> {
    const { app, options } = this
    this.pool = await app.pool({
      max: options.poolSize,
      applicationName: `manana-worker ${options.name}`,
      onConnectionLost: (error) => this.say('warn', 'worker.connection_lost', `a database connection was lost: ${error.message}`),
    })
    this.db = fromPg(this.pool)
    // A connection dying as it starts (a restart, a terminated backend) is ridden out, said.
    const notYet = (failure: unknown) => this.say('warn', 'worker.start_failed', `could not start yet (${message(failure)}); trying again`)
    await retryTransient(() => checkSchema(this.db), notYet)
    this.runner = new Runner({
      ...options,
      app,
      db: this.db,
      metrics: this.metrics,
      say: this.say,
      sayOfJob: this.sayOfJob,
      logAs: this.logAs,
      workerId: () => this.id!,
      stopping: () => this.stopping,
      wake: () => this.wake(),
    })
    this.liveness = new Liveness({
      ...options,
      app,
      db: this.db,
      say: this.say,
      listener: () => this.listener,
      stopping: () => this.stopping,
      stop: () => this.stop(),
    })
    // The endpoints first (a port in use fails the start before anything is registered); closed
    // again when the start fails, or they would keep the process up.
    try {
      if (options.healthPort !== undefined) this.served.health = await serveEndpoints(healthRoutes(() => this.health()), options.healthPort, options.healthHost)
      if (options.metricsPort !== undefined) this.served.metrics = await serveEndpoints(this.metrics.routes(() => this.gauges()), options.metricsPort, options.metricsHost)
      await retryTransient(() => this.liveness.register(), notYet)
    } catch (error) {
      await this.closeServed()
      throw error
    }
    this.liveness.lastBeat = performance.now()
    const { queues, concurrency } = options
    this.say('info', 'worker.started', `worker ${this.id} started: queues ${queues?.join(', ') ?? 'all'}, concurrency ${concurrency}, tasks ${[...app.tasks.keys()].join(', ') || 'none'}`)
    this.workflowRequests = new WorkflowRequests(this.pool, app, this.logAs('info', 'workflow.requested'))
    this.listener = new WorkerListener(
      { ...(await app.sessionConnection()), application_name: `manana-worker ${options.name}` },
      app.workflows.size ? [...this.channels, workflowRequestsChannel] : this.channels,
      {
        onJobReady: () => this.wake(),
        onAbortRequested: (id) => this.runner.stopJob(id, 'abort'),
        onWorkflowRequested: (name) => app.workflows.has(name) && this.workflowRequests.wake(),
        onReconnected: () => {
          this.wake()
          this.workflowRequests.wake()
        },
        onLockLost: () => this.liveness.beatWhileLockLost(),
      },
      async (channel, payload) => void (await this.db.query('SELECT pg_notify($1, $2)', [channel, payload])),
      (level, event, message) => this.say(level, `worker.${event}`, message),
      this.id!,
    )
    await this.listener.start()
    this.workflowRequests.wake() // those made before it listened
    this.liveness.lastBeatSentAt = performance.now()
    const unlessStopping = (action: () => Promise<void>) => async () => (this.stopping ? undefined : action())
    const stopBeating = every(options.heartbeatInterval, () => this.keepHealthy())
    // About five checks a second in all, whatever the number of workers.
    const stopRecovering = every(() => 0.2 * this.liveness.liveWorkers * (0.8 + 0.4 * Math.random()), () => this.recover())
    const stopWatching = every(options.heartbeatInterval, async () => this.stopJobsIfCutOff())
    const ticks = new PeriodicTicks(app.periodicTasks, this.db, this.say)
    const stopTicking = app.periodicTasks.length ? every(1, unlessStopping(() => ticks.deferDue())) : async () => {}
    const retain = unlessStopping(() => applyRetention(app, this.db, this.say))
    const stopPruning = app.retentionRules.length ? every(Math.min(60, retentionPeriod(app)), retain) : async () => {}
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
    else if (!this.liveness.beatLately(now)) problems.push('its heartbeat has not reached the database lately')
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
    const { slots } = this.runner
    return { running: slots.running.size, claimedAhead: slots.queued.length }
  }

  /** Stops fetching; running jobs get the grace period to finish. */
  stop(): void {
    if (this.stopping) return
    this.stopping = true
    this.wake()
  }

  private async fetchLoop(): Promise<void> {
    const { runner } = this
    const { slots } = runner
    while (!this.stopping) {
      this.lastTurn = performance.now()
      if (runner.claimsInDoubt) {
        try {
          if (!(await runner.takeUpLostClaims())) await this.sleep(0.05) // a claim is on the wire
        } catch (error) {
          this.say('warn', 'worker.claims_unknown', `could not read back the jobs of a claim whose answer was lost: ${message(error)}; trying again`)
          await this.sleep(1)
        }
        continue
      }
      if (runner.attemptEnds.inDoubt) {
        await this.sleep(0.05) // claims wait for ends being written again
        continue
      }
      const wanted = slots.wanted()
      if (wanted > 0 && !runner.endsWillClaim()) {
        const reservation = { wanted, startNow: slots.startable(wanted) }
        let claimed: number
        // With `once`, only a fetch begun with every end written can tell that nothing is left:
        // one begun earlier may miss the children that those ends made ready.
        const idleAtStart = runner.idle()
        slots.ask(reservation)
        try {
          claimed = await runner.claim(reservation)
        } catch (error) {
          this.say('warn', 'worker.fetch_failed', `fetching failed: ${message(error)}; trying again`)
          await this.sleep(1)
          continue
        } finally {
          slots.settle(reservation)
        }
        if (claimed > 0) continue
        if (this.options.once && runner.idle()) {
          if (idleAtStart) return
          continue
        }
      }
      await this.sleep(this.options.pollInterval)
    }
  }

  /** Heartbeat, then the rest of its upkeep: claims that waited too long go back, missed aborts. */
  private async keepHealthy(): Promise<void> {
    try {
      await this.liveness.beat()
      this.runner.releaseWaitedSince(performance.now() - this.options.heartbeatInterval * 1000)
      await this.runner.stopAbortRequested()
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
    const silentFor = this.liveness.cutOffFor()
    const { slots } = this.runner
    if (silentFor === undefined || slots.empty) return
    this.say(
      'error',
      'worker.cut_off',
      `no heartbeat has reached the database for ${Math.round(silentFor)} s: other workers may take its jobs at ${this.options.staleAfter} s, so it stops its ${slots.running.size} running job(s) and puts back the ones claimed ahead`,
    )
    this.runner.stopAll()
  }

  /** Recovers the jobs of gone workers (never fails: said, and tried again at the next check). */
  private async recover(): Promise<void> {
    try {
      await recoverStalledJobs(this.pool, this.app, this.options.staleAfter, this.sayOfJob)
    } catch (error) {
      this.say('warn', 'worker.recovery_failed', `could not recover the jobs of gone workers: ${message(error)}`)
    }
  }

  /**
   * Finishes or puts back its jobs, then unregisters. Until then it beats, holds its liveness lock
   * and listens (aborts still arrive): the jobs it runs are its own to the end.
   */
  private async shutdown(stopBeating: () => Promise<void>): Promise<void> {
    await this.runner.finish(this.options.shutdownGrace)
    await this.workflowRequests.settled()
    await stopBeating()
    this.liveness.stopRapidBeats()
    await this.listener?.close()
    await unregisterWorker(this.db, this.id!).catch(() => {})
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
  private readonly say = (level: LogRecord['level'], event: string, message: string, facts: Partial<LogRecord> = {}): void => {
    const record: LogRecord = { level, event, message, ...(this.id !== undefined && { worker: this.id }), ...facts }
    this.metrics.observe(record)
    this.logger(record)
  }

  /** A record about a job: its id, task, queue and workflow with the rest. */
  private readonly sayOfJob = (level: LogRecord['level'], event: string, job: Job, message: string, facts: Partial<LogRecord> = {}): void => {
    this.say(level, event, message, { job: job.id, task: job.task, queue: job.queue, workflow: job.workflowId, ...facts })
  }

  /** What a component that reports now and then writes through. */
  private readonly logAs = (level: LogRecord['level'], event: string): Log => (message) => this.say(level, event, message)

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
