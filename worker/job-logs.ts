// Log lines tasks write, stored with their job and attempt: buffered, written together every
// `flushEvery` ms (so the console shows them while the job runs) and before the attempt's end
// is recorded, bounded per attempt.
import type { Queryable } from '../lib/queue/queryable.ts'
import type { LogLevel } from '../lib/queue/task.ts'
import type { Log } from '../lib/observe/log.ts'

/** An attempt keeps at most this many lines; one more says how many were dropped. */
export const maxLinesPerAttempt = 1000
/** Longer lines are cut here. */
export const maxLineLength = 4000
const flushEvery = 200

interface Line {
  job_id: number
  attempt: number
  at: string
  level: LogLevel
  message: string
}

export class JobLogs {
  private pending: Line[] = []
  /** Lines each running attempt wrote so far (kept or dropped), by job id. */
  private readonly written = new Map<number, number>()
  private timer?: NodeJS.Timeout
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: Queryable,
    private readonly log: Log,
  ) {}

  /**
   * Keeps a line of the attempt. Returns what the worker's own log prints of it: the line as
   * kept (without NULs, cut at maxLineLength), once a warning that the attempt's further lines
   * are dropped, then nothing.
   */
  write(jobId: number, attempt: number, level: LogLevel, message: string): { level: LogLevel; text: string } | undefined {
    const count = (this.written.get(jobId) ?? 0) + 1
    this.written.set(jobId, count)
    if (count === maxLinesPerAttempt + 1) return { level: 'warn', text: `further lines are dropped: an attempt keeps ${maxLinesPerAttempt}` }
    if (count > maxLinesPerAttempt) return undefined
    const clean = message.replaceAll('\u0000', '') // PostgreSQL's text holds no NUL
    const text = clean.length > maxLineLength ? `${clean.slice(0, maxLineLength - 1)}…` : clean
    this.pending.push({ job_id: jobId, attempt, at: new Date().toISOString(), level, message: text })
    this.timer ??= setTimeout(() => void this.flush(), flushEvery).unref()
    return { level, text }
  }

  /** The attempt of this job ended: its lines are written (with how many were dropped) before this resolves. */
  async ended(jobId: number, attempt: number): Promise<void> {
    const count = this.written.get(jobId)
    this.written.delete(jobId)
    if (count === undefined) return
    if (count > maxLinesPerAttempt) {
      const dropped = count - maxLinesPerAttempt
      this.pending.push({ job_id: jobId, attempt, at: new Date().toISOString(), level: 'warn', message: `${dropped} more line(s) dropped: an attempt keeps ${maxLinesPerAttempt}` })
    }
    await this.flush()
  }

  /** Writes what is pending, after any write under way (one at a time, in order). */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const lines = this.pending.splice(0)
    this.writing = this.writing.then(async () => {
      if (!lines.length) return
      try {
        await this.db.query(
          `INSERT INTO manana_job_logs (job_id, attempt, at, level, message)
           SELECT line.job_id, line.attempt, line.at, line.level, line.message
           FROM jsonb_to_recordset($1::jsonb) AS line (job_id bigint, attempt integer, at timestamptz, level manana_log_level, message text)
           WHERE EXISTS (SELECT 1 FROM procrastinate_jobs AS job WHERE job.id = line.job_id)`,
          [JSON.stringify(lines)],
        )
      } catch (error) {
        // A job deleted between the check and the insert, or the database away: the lines are
        // lost, the job is not.
        this.log(`${lines.length} job log line(s) not stored: ${error instanceof Error ? error.message : String(error)}`)
      }
    })
    return this.writing
  }
}
