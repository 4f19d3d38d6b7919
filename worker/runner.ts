// The jobs a worker holds: claimed jobs wait for a free slot (slots.ts), each runs its attempt
// (attempt.ts), and its end is recorded by a call that may claim the next jobs (attempt-ends.ts);
// jobs are stopped (an abort, a timeout, shutdown, a lost claim) or put back from here, and the
// jobs of a claim whose answer was lost are read back from the database.
import type { App } from '../lib/queue/app.ts'
import { jobFromRow, type Job } from '../lib/queue/job.ts'
import type { Queryable } from '../lib/queue/queryable.ts'
import { message, type Log, type LogRecord } from '../lib/observe/log.ts'
import { runAttempt, type AttemptSetting, type SayOfJob } from './attempt.ts'
import { AttemptEnds, type Claimer, type Reservation } from './attempt-ends.ts'
import { JobLogs } from './job-logs.ts'
import type { WorkerMetrics } from './metrics.ts'
import { abortRequestedAmong, fetchJobs, jobOutcome, jobsClaimedBy, queueWaits } from './queries.ts'
import { Slots, type Running, type StopReason } from './slots.ts'

export interface RunnerSetting {
  app: App
  db: Queryable
  queues: string[] | null
  concurrency: number
  claimAhead: number
  metrics: WorkerMetrics
  /** Measure how long each claimed job waited since it became ready (one more query per claim). */
  measureQueueWait: boolean
  say(level: LogRecord['level'], event: string, message: string): void
  sayOfJob: SayOfJob
  /** What a component that reports now and then writes through. */
  logAs(level: LogRecord['level'], event: string): Log
  workerId(): number
  stopping(): boolean
  /** Wakes the fetch loop: a slot is free, or an end is recorded. */
  wake(): void
}

export class Runner {
  readonly slots: Slots
  readonly attemptEnds: AttemptEnds
  private readonly attemptSetting: AttemptSetting
  /** Jobs taken out of the slots whose end (or release) is not yet written: still doing, and this worker's. */
  private readonly ending = new Set<number>()
  /**
   * A call that claims failed after it was sent: it may have committed, and the database may hold
   * jobs as this worker's that it never heard of (they would stay doing, unrun, while it lives).
   * No claim goes out until takeUpLostClaims has read them back.
   */
  claimsInDoubt = false
  /** Queue-wait measurements on the wire (they never throw). */
  private readonly measuring = new Set<Promise<void>>()

  constructor(private readonly setting: RunnerSetting) {
    const { app, db, metrics, logAs } = setting
    this.slots = new Slots(setting.concurrency, setting.claimAhead)
    this.attemptEnds = new AttemptEnds(db, logAs('warn', 'worker.end_not_recorded'), this.claimer(), (ms) => metrics.roundTrip('end', ms))
    this.attemptSetting = {
      app,
      db,
      jobLogs: new JobLogs(db, logAs('warn', 'job.log_lines_lost')),
      sayOfJob: setting.sayOfJob,
      workerId: setting.workerId,
      stop: (running, reason) => this.stopRunning(running, reason),
    }
  }

  /**
   * Whether, with nothing running or claimed, ends are being recorded: the calls that record
   * them claim for the free slots, so the fetch loop waits for their answers. A fetch begun before
   * those ends are committed would take the slots and miss the children they make ready (a DAG
   * hop would take two round trips instead of one).
   */
  endsWillClaim(): boolean {
    return this.slots.empty && (this.ending.size > 0 || this.attemptEnds.busy)
  }

  /** Nothing runs, nothing claimed waits, no end is being written. */
  idle(): boolean {
    return this.slots.empty && this.ending.size === 0 && !this.attemptEnds.busy
  }

  /** Lets the calls that record ends claim the next jobs too (one round trip for both). */
  claimer(): Claimer {
    const runner = this
    return {
      get queues() {
        return runner.setting.queues
      },
      get workerId() {
        return runner.setting.workerId()
      },
      reserve() {
        // Only when nothing claimed waits to run: then the next job is a round trip sooner (a
        // DAG hop is one commit, not two); a busy worker's fetches and ends run side by side.
        if (runner.slots.queued.length || runner.setting.stopping() || runner.claimsWait) return { wanted: 0, startNow: 0 }
        const reservation = runner.slots.reserveForEnds()
        runner.slots.ask(reservation)
        return reservation
      },
      claimed(reserved, rows, ms) {
        runner.slots.settle(reserved)
        if (ms === undefined) runner.claimsInDoubt = true
        else runner.slots.timing.fetched(ms)
        runner.enqueue(rows.map(jobFromRow))
      },
    }
  }

  /** Queues claimed jobs in fetch order (priority, then id) and starts what free slots can take. */
  private enqueue(jobs: Job[]): void {
    if (this.setting.measureQueueWait && jobs.length) {
      const measuring = this.measureWaits(jobs).finally(() => this.measuring.delete(measuring))
      this.measuring.add(measuring)
    }
    this.slots.add(jobs, performance.now())
    this.startQueued()
  }

  /** Starts queued jobs while slots are free: when jobs are claimed, and whenever a task ends. */
  startQueued(): void {
    for (let job; !this.setting.stopping() && (job = this.slots.next()); ) this.start(job)
  }

  /** Claims jobs (a fetch), queues them and starts what free slots can take; how many it claimed. */
  async claim({ wanted, startNow }: Reservation): Promise<number> {
    const started = performance.now()
    let rows
    try {
      rows = await fetchJobs(this.setting.db, this.setting.queues, this.setting.workerId(), wanted, startNow)
    } catch (error) {
      this.claimsInDoubt = true
      throw error
    }
    const ms = performance.now() - started
    this.slots.timing.fetched(ms)
    this.setting.metrics.roundTrip('fetch', ms)
    this.enqueue(rows.map(jobFromRow))
    return rows.length
  }

  /** Claims wait: for a lost answer's jobs to be read back, or for ends being written again. */
  get claimsWait(): boolean {
    return this.claimsInDoubt || this.attemptEnds.inDoubt
  }

  /**
   * Reads back the jobs the database holds as this worker's that it does not know of (claimed by
   * a call whose answer was lost) and queues them as that answer would have; false while a claim
   * is on the wire (none starts meanwhile: claims wait while in doubt).
   */
  async takeUpLostClaims(): Promise<boolean> {
    if (this.slots.claiming) return false
    // Known before the read too: a job whose end is written while the read is on the wire may be
    // doing in what it reads, and no longer held once it answers.
    const knownBefore = [...this.slots.held(), ...this.ending]
    const rows = await jobsClaimedBy(this.setting.db, this.setting.workerId())
    const known = new Set([...knownBefore, ...this.slots.held(), ...this.ending])
    const lost = rows.map(jobFromRow).filter((job) => !known.has(job.id))
    this.claimsInDoubt = false
    for (const job of lost) {
      this.setting.sayOfJob('warn', 'worker.claim_read_back', job, `job ${job.id} ${job.task} was claimed by a call whose answer was lost: read back from the database`)
    }
    this.enqueue(lost)
    return true
  }

  /** Observes how long claimed jobs waited: from when each became ready to its claim. */
  private async measureWaits(jobs: Job[]): Promise<void> {
    try {
      const waits = await queueWaits(this.setting.db, jobs)
      for (const job of jobs) if (waits.has(job.id)) this.setting.metrics.queueWait(job.task, waits.get(job.id)!)
    } catch (error) {
      this.setting.say('warn', 'worker.queue_wait_failed', `could not measure how long claimed jobs waited: ${message(error)}`)
    }
  }

  /** Ends the attempts of queued jobs without running them: back to todo, or aborted. */
  unqueue(jobs: Job[], outcome: 'released' | 'aborted'): void {
    for (const job of jobs) {
      this.ending.add(job.id)
      void this.attemptEnds.record({ id: job.id, worker_id: this.setting.workerId(), attempts: job.attempts, outcome }).then((ended) => {
        this.ending.delete(job.id)
        if (!ended) return
        // Putting back is routine (a busy worker claimed more than its slots took): debug only.
        if (outcome === 'released') this.setting.sayOfJob('debug', 'job.released', job, `job ${job.id} ${job.task} put back to todo before it started`)
        else this.setting.sayOfJob('info', 'job.aborted', job, `job ${job.id} ${job.task} aborted before it started`)
      })
    }
  }

  private start(job: Job): void {
    const running: Running = { job, controller: new AbortController() }
    this.slots.running.set(job.id, running)
    running.done = this.execute(running)
    // The database learns that a job claimed ahead started with the next call (ends batch with
    // it); were this worker lost before, its recovery counts the attempt all the same.
    if (job.claimedAhead) {
      void this.attemptEnds.record({ id: job.id, worker_id: this.setting.workerId(), attempts: job.attempts, outcome: 'started' }).then((ours) => {
        if (!ours) this.stopJob(job.id, 'lost')
      })
    }
  }

  private async execute(running: Running): Promise<void> {
    const { job } = running
    const { end, facts } = await runAttempt(running, this.attemptSetting, (ms) => {
      this.slots.timing.ran(ms)
      // The task is done: its slot takes the next job while the end is being recorded. With
      // nothing claimed left, the call that records the end claims for the slot (a child this
      // end makes ready among them): a fetch begun now would race it for the same jobs.
      this.ending.add(job.id)
      this.slots.running.delete(job.id)
      this.startQueued()
      this.setting.wake()
    })
    const ended = await this.attemptEnds.record(end)
    this.ending.delete(job.id)
    this.setting.wake() // with `once`, a recorded end may have made children ready, or left nothing to do
    if (ended && end.spawn) await this.saySpawned(job, end.spawn.length)
    if (!ended) {
      this.setting.sayOfJob('warn', 'job.outcome_dropped', job, `job ${job.id} ${job.task}: its ${end.outcome} was not recorded: the job is no longer this worker's (it was recovered from this worker, thought gone)`, facts)
    }
  }

  /** What became of a success's spawned jobs: deferred, or refused with the attempt failed (never throws). */
  private async saySpawned(job: Job, count: number): Promise<void> {
    try {
      const outcome = await jobOutcome(this.setting.db, job.id)
      if (outcome?.status === 'failed') this.setting.sayOfJob('error', 'job.spawn_refused', job, `job ${job.id} ${job.task} failed: ${outcome.error}`)
      else this.setting.sayOfJob('info', 'job.spawned', job, `job ${job.id} ${job.task} spawned ${count} job(s)`)
    } catch (error) {
      this.setting.say('warn', 'job.spawn_unknown', `job ${job.id} ${job.task}: could not read what became of the ${count} job(s) it spawned: ${message(error)}`)
    }
  }

  stopJob(jobId: number, reason: StopReason): void {
    const running = this.slots.running.get(jobId)
    if (running) this.stopRunning(running, reason)
    const queued = reason === 'abort' ? this.slots.take(jobId) : undefined
    if (queued) this.unqueue([queued], 'aborted')
  }

  stopRunning(running: Running, reason: StopReason): void {
    if (running.stopReason) return
    running.stopReason = reason
    this.setting.sayOfJob('info', 'job.stopping', running.job, `job ${running.job.id} ${running.job.task}: stopping (${reason})`)
    running.controller.abort(new Error(reason))
  }

  /** Jobs claimed ahead that waited since before `since` (tasks turned slow) go back for others; claims none ahead until a task ends. */
  releaseWaitedSince(since: number): void {
    const waited = this.slots.takeWaitedSince(since)
    if (!waited.length) return
    this.slots.timing.taskMs = undefined // tasks are slower than measured
    this.unqueue(waited, 'released')
  }

  /** Stops the jobs it holds that someone asked to abort (a notification it missed). */
  async stopAbortRequested(): Promise<void> {
    const held = this.slots.held()
    if (held.length) for (const id of await abortRequestedAmong(this.setting.db, held)) this.stopJob(id, 'abort')
  }

  /** Stops every running job as lost and puts back the claimed ones: the worker is cut off. */
  stopAll(): void {
    for (const running of this.slots.running.values()) this.stopRunning(running, 'lost')
    this.unqueue(this.slots.takeAll(), 'released')
  }

  /** Puts back claimed jobs, gives running ones `grace` seconds, stops the rest, and waits for every end to be recorded. */
  async finish(grace: number): Promise<void> {
    this.unqueue(this.slots.takeAll(), 'released')
    const { running } = this.slots
    const pending = () => [...running.values()].map((each) => each.done)
    if (running.size) {
      this.setting.say('info', 'worker.stopping', `shutting down: waiting up to ${grace} s for ${running.size} running job(s)`)
      let graceOver: NodeJS.Timeout | undefined
      await Promise.race([Promise.allSettled(pending()), new Promise((resolve) => (graceOver = setTimeout(resolve, grace * 1000)))])
      clearTimeout(graceOver)
      for (const each of running.values()) this.stopRunning(each, 'shutdown')
      await Promise.allSettled(pending())
    }
    await this.attemptEnds.settled()
    if (this.claimsInDoubt) {
      await this.takeUpLostClaims().catch((error) =>
        this.setting.say('warn', 'worker.claims_unknown', `could not read back the jobs of a claim whose answer was lost (${message(error)}): they are recovered as its jobs once it is gone`),
      )
    }
    // Jobs claimed by calls that were on the wire when we stopped (or read back) go back too.
    while (this.slots.queued.length) {
      this.unqueue(this.slots.takeAll(), 'released')
      await this.attemptEnds.settled()
    }
    await Promise.all(this.measuring)
  }
}
