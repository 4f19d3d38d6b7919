// Records how attempts ended (and that jobs claimed ahead started), many per round trip: while
// one call is on the wire, the attempts that end wait for the next, which carries them all
// (manana_end_attempts, one transaction). An idle worker's single attempt goes at once, so
// batching adds no wait; a busy one commits once per batch instead of once per job. With a
// claimer, the same call claims the next jobs
// (manana_end_attempts_and_fetch): one commit for both, and a child its parent's end made
// ready is claimed in the very transaction that finished the parent.
import { isTransient } from '../lib/db/transient.ts'
import type { JobRow } from '../lib/queue/job.ts'
import type { Queryable } from '../lib/queue/queryable.ts'
import { errorRecord, message, type Log } from '../lib/observe/log.ts'
import { registeredWorkers } from './queries.ts'

export interface AttemptEnd {
  id: number
  worker_id: number | null
  /** The job's attempts when it was claimed: the end never meets a later attempt (were it written again after its answer was lost). */
  attempts?: number
  /** How it ended, or 'started': a job claimed ahead began (its worker, if lost, ran it). */
  outcome: 'started' | 'succeeded' | 'failed' | 'aborted' | 'released'
  /** The result, as JSON text (succeeded only). */
  result?: string
  /** { message, stack } (failed only). */
  error?: unknown
  retry_in?: number | null
  /** Jobs to defer with the success (manana_spawn_jobs's nodes; succeeded only). */
  spawn?: Array<Record<string, unknown>>
}

/** Jobs a call may claim, and how many of them free slots start at once. */
export interface Reservation {
  wanted: number
  startNow: number
}

/** Whoever runs the jobs that calls recording ends may claim. */
export interface Claimer {
  /**
   * How many jobs the next call may claim, and how many of them free slots start at once (the
   * others are claimed ahead); reserved until `claimed` is told.
   */
  reserve(): Reservation
  /** The rows claimed for a reservation, and the call's time (none, and undefined, when it failed). */
  claimed(reserved: Reservation, rows: JobRow[], ms: number | undefined): void
  readonly queues: string[] | null
  readonly workerId: number
}

interface Pending {
  end: AttemptEnd
  resolve(ended: boolean): void
}

/** The most attempts one call carries. */
const maxBatch = 500

export class AttemptEnds {
  private pending: Pending[] = []
  /** The starts among `pending`, by job. */
  private readonly startsWaiting = new Map<number, Pending>()
  private flushing?: Promise<void>
  /** Ends on the wire now (0 once written, before their callers hear of it). */
  private writing = 0
  /**
   * A call of the batch being written failed after it was sent: it may have committed, and the
   * batch is being written again. Its worker claims nothing until the batch is written, so that no
   * end written again can meet a job claimed anew.
   */
  inDoubt = false

  constructor(
    private readonly db: Queryable,
    private readonly log: Log,
    private readonly claimer?: Claimer,
    /** Told each call's round trip, in ms. */
    private readonly timed?: (ms: number) => void,
  ) {}

  /** Records an attempt's end (or start); false when the job was no longer this worker's (recovered from it). */
  record(end: AttemptEnd): Promise<boolean> {
    return new Promise((resolve) => {
      // An end says the job started: a start still waiting for the call goes with it, unwritten.
      const start = end.outcome === 'started' ? undefined : this.startsWaiting.get(end.id)
      if (start) {
        this.startsWaiting.delete(end.id)
        const resolveStart = start.resolve
        start.end = end
        start.resolve = (ended) => {
          resolveStart(ended)
          resolve(ended)
        }
      } else {
        const item = { end, resolve }
        this.pending.push(item)
        if (end.outcome === 'started') this.startsWaiting.set(end.id, item)
      }
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined))
    })
  }

  /** Whether ends are being written. */
  get busy(): boolean {
    return this.pending.length > 0 || this.writing > 0
  }

  /** Resolves once every end recorded so far is written. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  private async flush(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, maxBatch)
      for (const item of batch) if (item.end.outcome === 'started') this.startsWaiting.delete(item.end.id)
      this.writing = batch.length
      const ended = await this.write(batch.map((item) => item.end))
      this.writing = 0
      this.inDoubt = false
      batch.forEach((item, i) => item.resolve(ended[i]!))
    }
  }

  /** Writes a batch, retrying through connection losses; a batch the database refuses is written job by job. */
  private async write(ends: AttemptEnd[], inDoubt = false): Promise<boolean[]> {
    for (let delay = 0.1; ; delay = Math.min(delay * 2, 5)) {
      try {
        const ended = await this.call(ends)
        if (inDoubt) await this.endedByEarlierCall(ends, ended)
        return ended
      } catch (failure) {
        // Refused: this call did not commit (an earlier one may have: each end, written alone, is checked).
        if (!isTransient(failure)) return ends.length === 1 ? [this.refused(ends[0]!, failure)] : this.oneByOne(ends, inDoubt)
        inDoubt = this.inDoubt = true
        this.log(`could not record the end of ${ends.length} attempt(s) yet (${message(failure)}); trying again`)
        await new Promise((resolve) => setTimeout(resolve, delay * 1000))
      }
    }
  }

  /**
   * Ends the call made again found no longer their worker's: the failed call wrote them, unless
   * their worker was judged gone meanwhile (its jobs are recovered as it is removed). Marks them.
   */
  private async endedByEarlierCall(ends: AttemptEnd[], ended: boolean[]): Promise<void> {
    const workers = [...new Set(ends.flatMap((end, i) => (ended[i] || end.worker_id === null ? [] : [end.worker_id])))]
    if (!workers.length) return
    const registered = await registeredWorkers(this.db, workers)
    ends.forEach((end, i) => (ended[i] ||= end.worker_id !== null && registered.has(end.worker_id)))
  }

  private async oneByOne(ends: AttemptEnd[], inDoubt: boolean): Promise<boolean[]> {
    const ended: boolean[] = []
    for (const end of ends) ended.push((await this.write([end], inDoubt))[0]!)
    return ended
  }

  private refused(end: AttemptEnd, failure: unknown): boolean {
    this.log(`job ${end.id}: could not record its end: ${message(failure)}`)
    return false
  }

  private async call(ends: AttemptEnd[]): Promise<boolean[]> {
    // result is JSON text already: embed it as JSON, not as a string.
    const outcomes = `[${ends.map(({ result, ...rest }) => (result === undefined ? JSON.stringify(rest) : `${JSON.stringify(rest).slice(0, -1)},"result":${result}}`)).join(',')}]`
    const reservation = this.claimer?.reserve() ?? { wanted: 0, startNow: 0 }
    const { wanted: reserved, startNow } = reservation
    const started = performance.now()
    let rows: Array<{ job_id: string | null; ended: boolean | null; job: JobRow | null }> = []
    let ms: number | undefined
    try {
      rows = reserved
        ? await this.db.query('SELECT job_id, ended, job FROM manana_end_attempts_and_fetch($1::jsonb, $2, $3, $4, $5)', [
            outcomes,
            this.claimer!.queues,
            this.claimer!.workerId,
            reserved,
            startNow,
          ])
        : await this.db.query('SELECT job_id, ended, NULL AS job FROM manana_end_attempts($1::jsonb)', [outcomes])
      ms = performance.now() - started
      this.timed?.(ms)
    } finally {
      // Only a call that went through times a round trip: a failed one (a lost connection, a
      // refusal) says nothing of how far ahead to claim.
      if (reserved) this.claimer!.claimed(reservation, rows.flatMap((row) => (row.job ? [row.job] : [])), ms)
    }
    const byId = new Map(rows.flatMap((row) => (row.job_id === null ? [] : [[Number(row.job_id), row.ended!] as const])))
    return ends.map((end) => byId.get(end.id) ?? false)
  }
}
