// The log lines a job's task wrote, one attempt at a time (the worker keeps at most 1,001 per
// attempt: see worker/job-logs.ts).
import { ManaError } from '../queue/errors.ts'
import type { LogLevel } from '../queue/task.ts'
import type { ConsoleContext } from './context.ts'

export interface JobLogLine {
  id: number
  at: string
  level: LogLevel
  message: string
}

export interface JobLogs {
  /** The attempts that wrote lines, and how many each. */
  attempts: Array<{ attempt: number; lines: number }>
  /** The attempt shown: the one asked for, else the latest that wrote lines; null when none did. */
  attempt: number | null
  lines: JobLogLine[]
  /** The lines are hidden from this viewer (an admin's setting), as arguments are. */
  valuesHidden?: true
}

/** Lines returned at most (an attempt keeps 1,000 and a line saying how many more were dropped). */
const maxLines = 1001

export async function jobLogs({ db }: ConsoleContext, jobId: number, attempt?: number): Promise<JobLogs> {
  const [attempts, exists] = await Promise.all([
    db.query<{ attempt: number; lines: number }>(
      `SELECT attempt, count(*)::int AS lines FROM manana_job_logs WHERE job_id = $1 GROUP BY attempt ORDER BY attempt`,
      [jobId],
    ),
    db.query(`SELECT 1 FROM procrastinate_jobs WHERE id = $1`, [jobId]),
  ])
  if (!exists.length) throw new ManaError('job_not_found', `job ${jobId} does not exist`)
  const shown = attempt ?? attempts.at(-1)?.attempt ?? null
  const lines = shown === null ? [] : await db.query<{ id: string; at: Date; level: LogLevel; message: string }>(
    `SELECT id, at, level, message FROM manana_job_logs WHERE job_id = $1 AND attempt = $2 ORDER BY id LIMIT $3`,
    [jobId, shown, maxLines],
  )
  return { attempts, attempt: shown, lines: lines.map((line) => ({ id: Number(line.id), at: line.at.toISOString(), level: line.level, message: line.message })) }
}
