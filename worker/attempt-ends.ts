// Records how attempts ended, many per round trip: while one call is on the wire, the attempts
// that end wait for the next, which carries them all (manana_end_attempts, one transaction). An
// idle worker's single attempt goes at once, so batching adds no wait; a busy one commits once
// per batch instead of once per job.
import { isManaError } from '../lib/queue/errors.ts'
import type { Queryable } from '../lib/queue/queryable.ts'
import type { Log } from './log.ts'

export interface AttemptEnd {
  id: number
  worker_id: number | null
  outcome: 'succeeded' | 'failed' | 'aborted' | 'released'
  /** The result, as JSON text (succeeded only). */
  result?: string
  /** { message, stack } (failed only). */
  error?: unknown
  retry_in?: number | null
}

interface Pending {
  end: AttemptEnd
  resolve(ended: boolean): void
}

/** The most attempts one call carries. */
const maxBatch = 500

export class AttemptEnds {
  private pending: Pending[] = []
  private flushing?: Promise<void>
  /** Ends on the wire now (0 once written, before their callers hear of it). */
  private writing = 0

  constructor(
    private readonly db: Queryable,
    private readonly log: Log,
  ) {}

  /** Records an attempt's end; false when the job was no longer this worker's (recovered as stalled). */
  record(end: AttemptEnd): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ end, resolve })
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
      this.writing = batch.length
      const ended = await this.write(batch.map((item) => item.end))
      this.writing = 0
      batch.forEach((item, i) => item.resolve(ended[i]!))
    }
  }

  /** Writes a batch, retrying through connection losses; a batch the database refuses is written job by job. */
  private async write(ends: AttemptEnd[]): Promise<boolean[]> {
    for (let delay = 0.1; ; delay = Math.min(delay * 2, 5)) {
      try {
        return await this.call(ends)
      } catch (failure) {
        if (!isTransient(failure)) return ends.length === 1 ? [this.refused(ends[0]!, failure)] : this.oneByOne(ends)
        this.log(`could not record the end of ${ends.length} attempt(s) yet (${message(failure)}); trying again`)
        await new Promise((resolve) => setTimeout(resolve, delay * 1000))
      }
    }
  }

  private async oneByOne(ends: AttemptEnd[]): Promise<boolean[]> {
    const ended: boolean[] = []
    for (const end of ends) ended.push((await this.write([end]))[0]!)
    return ended
  }

  private refused(end: AttemptEnd, failure: unknown): boolean {
    this.log(`job ${end.id}: could not record its end: ${message(failure)}`)
    return false
  }

  private async call(ends: AttemptEnd[]): Promise<boolean[]> {
    const rows = await this.db.query<{ job_id: string; ended: boolean }>('SELECT job_id, ended FROM manana_end_attempts($1::jsonb)', [
      // result is JSON text already: embed it as JSON, not as a string.
      `[${ends.map(({ result, ...rest }) => (result === undefined ? JSON.stringify(rest) : `${JSON.stringify(rest).slice(0, -1)},"result":${result}}`)).join(',')}]`,
    ])
    const byId = new Map(rows.map((row) => [Number(row.job_id), row.ended]))
    return ends.map((end) => byId.get(end.id) ?? false)
  }
}

/** Whether an error may pass by itself: a lost connection, a serialization failure, a restart. */
function isTransient(error: unknown): boolean {
  if (isManaError(error)) return false
  const code = (error as { code?: unknown })?.code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return ['08', '40', '53', '57'].includes(code.slice(0, 2))
  return true // a socket error (ECONNRESET…) or pg's "Connection terminated": no SQLSTATE
}

export const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** How a failed attempt's error is kept: its message and stack. */
export const errorRecord = (error: unknown) =>
  error instanceof Error ? { message: error.message, stack: error.stack ?? null } : { message: String(error), stack: null }
