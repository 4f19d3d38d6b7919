// A worker's slots and the jobs it holds: those its tasks run, those claimed ahead of a free
// slot, and those asked for by claims on the wire. How many to claim, and how many of them to
// start at once, is arithmetic on these counts and on measured times: no database here.
import type { JobToDefer } from '../lib/queue/defer.ts'
import type { Job } from '../lib/queue/job.ts'
import type { Reservation } from './attempt-ends.ts'

/** Why a running task is stopped; 'lost': the job was recovered from this worker, thought gone. */
export type StopReason = 'abort' | 'timeout' | 'shutdown' | 'lost'

export interface Running {
  job: Job
  controller: AbortController
  stopReason?: StopReason
  done?: Promise<void>
  /** The jobs its task spawned so far (ctx.spawn; spawnMany's with the key they are items of): deferred with its success only. */
  spawned?: Array<{ job: JobToDefer; itemsOf?: string }>
}

export interface Queued {
  job: Job
  /** When it was claimed (performance.now()). */
  claimedAt: number
}

export class Slots {
  readonly running = new Map<number, Running>()
  /** Jobs claimed (doing, this worker's) that no slot has started yet, in fetch order. */
  queued: Queued[] = []
  readonly timing = new Timing()
  /** Jobs asked for by claims on the wire (a fetch, or a call that also records ends). */
  private requested = 0
  /** Of those, the ones asked to start at once: free slots already promised. */
  private startsRequested = 0

  constructor(
    private readonly concurrency: number,
    /** Most jobs claimed ahead of free slots. */
    private readonly claimAhead: number,
  ) {}

  /** Jobs to claim now: for the free slots and ahead of them, less what is claimed or asked for. */
  wanted(): number {
    return this.concurrency - this.running.size + this.aheadTarget() - this.queued.length - this.requested
  }

  /** Of `wanted` jobs, those free slots will start as soon as they arrive (the rest wait, claimed ahead). */
  startable(wanted: number): number {
    return Math.max(0, Math.min(wanted, this.concurrency - this.running.size - this.queued.length - this.startsRequested))
  }

  /** Counts a claim about to go on the wire, until `settle`. */
  ask(reservation: Reservation): void {
    this.requested += reservation.wanted
    this.startsRequested += reservation.startNow
  }

  /** Whether a claim is on the wire. */
  get claiming(): boolean {
    return this.requested > 0
  }

  settle(reservation: Reservation): void {
    this.requested -= reservation.wanted
    this.startsRequested -= reservation.startNow
  }

  /**
   * What a call recording an end may claim: at least the slots no claim on the wire has promised
   * (the one this end frees), since a fetch begun before the end was committed cannot see the
   * children it makes ready.
   */
  reserveForEnds(): Reservation {
    const startNow = this.startable(this.concurrency)
    return { wanted: Math.max(startNow, this.wanted()), startNow }
  }

  /**
   * How many jobs to hold claimed beyond the free slots: those the slots will start within about
   * one fetch round trip, judged from measured times (none until tasks have been timed).
   */
  aheadTarget(): number {
    const { fetchMs, taskMs } = this.timing
    if (fetchMs === undefined || taskMs === undefined) return 0
    const startable = Math.floor((this.concurrency * fetchMs) / Math.max(taskMs, 0.001))
    return Math.min(this.claimAhead, startable)
  }

  /** Adds claimed jobs in fetch order: priority, then id. */
  add(jobs: Job[], claimedAt: number): void {
    for (const job of jobs) this.queued.push({ job, claimedAt })
    if (this.queued.length > jobs.length) this.queued.sort((a, b) => b.job.priority - a.job.priority || a.job.id - b.job.id)
  }

  /** The next claimed job, when a slot is free for it. */
  next(): Job | undefined {
    return this.queued.length && this.running.size < this.concurrency ? this.queued.shift()!.job : undefined
  }

  /** Takes out the claimed jobs that waited since before `since`. */
  takeWaitedSince(since: number): Job[] {
    const waited = this.queued.filter((item) => item.claimedAt < since)
    if (waited.length) this.queued = this.queued.filter((item) => item.claimedAt >= since)
    return waited.map((item) => item.job)
  }

  /** Takes out one claimed job, if it waits here. */
  take(jobId: number): Job | undefined {
    const at = this.queued.findIndex((item) => item.job.id === jobId)
    return at >= 0 ? this.queued.splice(at, 1)[0]!.job : undefined
  }

  /** Takes out every claimed job. */
  takeAll(): Job[] {
    return this.queued.splice(0).map((item) => item.job)
  }

  /** The jobs held: running or claimed. */
  held(): number[] {
    return [...this.running.keys(), ...this.queued.map((item) => item.job.id)]
  }

  /** Nothing runs and nothing claimed waits. */
  get empty(): boolean {
    return this.running.size === 0 && this.queued.length === 0
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
