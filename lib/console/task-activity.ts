// The Tasks page: how each task has run over the last hour and day, read from the counts the
// database keeps as attempts end (manana_task_runs: by minute for the last two hours, by hour
// before), so that reading them costs about the same at a million jobs as at ten.
import type { ConsoleContext } from './context.ts'

export interface RunFigures {
  /** Attempts that ended (a retried job counts each attempt). */
  runs: number
  /** Attempts after which the job failed for good (counted before 2026-12-06: with the retried ones). */
  failures: number
  /** Attempts that failed and were retried (by the task's retry policy). */
  retried: number
  /** Approximate percentiles of run time (within 19%: runs are counted by half powers of two of a millisecond); null without runs. */
  p50Ms: number | null
  p95Ms: number | null
}

export interface TaskActivity {
  task: string
  /** Null for a task no running worker announced (a Python worker's, say). */
  queue: string | null
  /** The last 60 minutes. */
  lastHour: RunFigures
  /** The last 24 clock hours: since the start of the hour 23 hours before this one. */
  lastDay: RunFigures
  /** In the range asked for, if one was (see runsBetween). */
  inRange?: RunFigures
  /** Those 24 hours, oldest first: index 23 is this hour so far. */
  hourly: Array<{ runs: number; failures: number }>
  /**
   * Its latest failed attempts, newest first (among the console's latest failures overall);
   * `retried`: the job went on (it ran again), as opposed to failing for good. Messages null when
   * hidden from viewers.
   */
  latestFailures: Array<{ jobId: number; attempt: number; at: string; message: string | null; retried: boolean }>
}

const hours = 24
/** The latest failures looked at for all tasks together: enough to show a few of each task's, bounded at any failure rate. */
const failuresLookedAt = 500
const failuresPerTask = 3

/** A run time class's representative value in ms: the geometric middle of its bounds (see manana_duration_class). */
export const classMiddleMs = (durationClass: number) => (durationClass === 0 ? 0.5 : 2 ** ((durationClass - 0.5) / 2))

/** The smallest class holding at least `share` of the runs counted by class, as ms. */
export function percentileMs(runsByClass: Map<number, number>, share: number): number | null {
  const total = [...runsByClass.values()].reduce((sum, runs) => sum + runs, 0)
  if (total === 0) return null
  let seen = 0
  for (const durationClass of [...runsByClass.keys()].sort((a, b) => a - b)) {
    seen += runsByClass.get(durationClass)!
    if (seen >= share * total) return classMiddleMs(durationClass)
  }
  return null
}

function figures(runsByClass: Map<number, number>, failures: number, retried: number): RunFigures {
  return {
    runs: [...runsByClass.values()].reduce((sum, runs) => sum + runs, 0),
    failures,
    retried,
    p50Ms: percentileMs(runsByClass, 0.5),
    p95Ms: percentileMs(runsByClass, 0.95),
  }
}

/** Runs of one task and run time class, counted in a range. */
type RangeRow = { task_name: string; duration_class: number; runs: number; failures: number; retried: number }

/**
 * The runs counted in a time range, by task and run time class: by the minute in the last two
 * hours or so, by the hour before (so a range's older edge counts whole hours from the first
 * hour starting in it), for eight days.
 */
function runsBetween(db: ConsoleContext['db'], { from, before }: { from?: Date; before?: Date }) {
  return db.query<RangeRow>(
    `SELECT task_name, duration_class, sum(runs)::int AS runs, sum(failures)::int AS failures, sum(retried)::int AS retried
     FROM manana_task_runs WHERE ($1::timestamptz IS NULL OR minute >= $1) AND ($2::timestamptz IS NULL OR minute < $2)
     GROUP BY 1, 2`,
    [from ?? null, before ?? null],
  )
}

/** Figures from rows by run time class. */
function figuresOf(rows: RangeRow[]): RunFigures {
  const byClass = new Map(rows.map((row) => [row.duration_class, row.runs]))
  return figures(byClass, rows.reduce((sum, row) => sum + row.failures, 0), rows.reduce((sum, row) => sum + row.retried, 0))
}

export async function taskActivity({ db }: Pick<ConsoleContext, 'db'>, range?: { from?: Date; before?: Date }): Promise<TaskActivity[]> {
  const [inRange, byClass, byHour, failures, announced] = await Promise.all([
    range ? runsBetween(db, range) : [],
    db.query<{ task_name: string; duration_class: number; hour_runs: number; hour_failures: number; hour_retried: number; day_runs: number; day_failures: number; day_retried: number }>(
      `SELECT task_name, duration_class,
              coalesce(sum(runs) FILTER (WHERE minute > now() - interval '1 hour'), 0)::int AS hour_runs,
              coalesce(sum(failures) FILTER (WHERE minute > now() - interval '1 hour'), 0)::int AS hour_failures,
              coalesce(sum(retried) FILTER (WHERE minute > now() - interval '1 hour'), 0)::int AS hour_retried,
              sum(runs)::int AS day_runs, sum(failures)::int AS day_failures, sum(retried)::int AS day_retried
       FROM manana_task_runs WHERE minute >= date_trunc('hour', now()) - interval '23 hours'
       GROUP BY 1, 2`,
    ),
    db.query<{ task_name: string; hours_ago: number; runs: number; failures: number }>(
      `SELECT task_name, extract(epoch FROM date_trunc('hour', now()) - date_trunc('hour', minute))::int / 3600 AS hours_ago,
              sum(runs)::int AS runs, sum(failures)::int AS failures
       FROM manana_task_runs WHERE minute >= date_trunc('hour', now()) - interval '23 hours'
       GROUP BY 1, 2`,
    ),
    db.query<{ task_name: string; job_id: string; attempt: number; at: Date; message: string; retried: boolean }>(
      `SELECT job.task_name, failure.job_id, failure.attempt, failure.at, left(failure.message, 500) AS message,
              job.status <> 'failed' OR failure.attempt < job.attempts AS retried
       FROM (SELECT * FROM manana_job_errors ORDER BY at DESC LIMIT $1) AS failure
       JOIN procrastinate_jobs AS job ON job.id = failure.job_id
       ORDER BY failure.at DESC`,
      [failuresLookedAt],
    ),
    db.query<{ name: string; queue_name: string }>(`SELECT name, queue_name FROM manana_tasks`),
  ])
  type Found = { queue: string | null; hour: Map<number, number>; day: Map<number, number>; hourFailures: number; dayFailures: number; hourRetried: number; dayRetried: number; range: RangeRow[] }
  const tasks = new Map<string, Found & { hourly: TaskActivity['hourly']; latestFailures: TaskActivity['latestFailures'] }>()
  const entry = (task: string) => {
    let found = tasks.get(task)
    if (!found) {
      found = { queue: null, hour: new Map(), day: new Map(), hourFailures: 0, dayFailures: 0, hourRetried: 0, dayRetried: 0, range: [], hourly: Array.from({ length: hours }, () => ({ runs: 0, failures: 0 })), latestFailures: [] }
      tasks.set(task, found)
    }
    return found
  }
  for (const task of announced) entry(task.name).queue = task.queue_name
  for (const row of byClass) {
    const task = entry(row.task_name)
    if (row.hour_runs) task.hour.set(row.duration_class, row.hour_runs)
    task.day.set(row.duration_class, row.day_runs)
    task.hourFailures += row.hour_failures
    task.dayFailures += row.day_failures
    task.hourRetried += row.hour_retried
    task.dayRetried += row.day_retried
  }
  for (const row of inRange) entry(row.task_name).range.push(row)
  for (const row of byHour) {
    const slot = entry(row.task_name).hourly[hours - 1 - row.hours_ago]!
    slot.runs += row.runs
    slot.failures += row.failures
  }
  for (const row of failures) {
    const task = entry(row.task_name)
    if (task.latestFailures.length < failuresPerTask) {
      task.latestFailures.push({ jobId: Number(row.job_id), attempt: row.attempt, at: row.at.toISOString(), message: row.message, retried: row.retried })
    }
  }
  return [...tasks.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([task, found]) => ({
      task,
      queue: found.queue,
      lastHour: figures(found.hour, found.hourFailures, found.hourRetried),
      lastDay: figures(found.day, found.dayFailures, found.dayRetried),
      ...(range && { inRange: figuresOf(found.range) }),
      hourly: found.hourly,
      latestFailures: found.latestFailures,
    }))
}

/** One bucket of a task's runs: a minute or an hour, from `at`. */
export interface TaskPoint {
  at: string
  runs: number
  failures: number
  retried: number
  p50Ms: number | null
  p95Ms: number | null
}

export interface TaskSeries {
  task: string
  /** By the minute within the last two hours (where minutes are kept), by the hour otherwise. */
  bucket: 'minute' | 'hour'
  /** The buckets' span: from the first's start to the last's end. */
  from: string
  before: string
  /** Every bucket, oldest first, empty ones included. */
  points: TaskPoint[]
  figures: RunFigures
}

/** The most buckets a series has (a week by the hour). */
const maxPoints = 7 * 24 + 1
const bucketMs = { minute: 60_000, hour: 3_600_000 }

/**
 * A task's runs, failures and p50/p95 run times over a time range (the last 24 hours unless
 * given), bucket by bucket: the Tasks page's charts.
 */
export async function taskSeries({ db }: Pick<ConsoleContext, 'db'>, task: string, range: { from?: Date; before?: Date }, now = Date.now()): Promise<TaskSeries> {
  const before = range.before?.getTime() ?? now
  const from = range.from?.getTime() ?? before - 24 * 3_600_000
  // Minutes are merged into hours once older than the start of the previous hour.
  const minutesKeptFrom = Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000
  const bucket = from >= minutesKeptFrom && before - from <= 2 * 3_600_000 ? 'minute' : 'hour'
  const size = bucketMs[bucket]
  const first = Math.floor(from / size) * size
  const count = Math.min(maxPoints, Math.ceil((before - first) / size))
  const start = Math.max(first, Math.ceil(before / size) * size - count * size)
  const rows = await db.query<RangeRow & { at: Date }>(
    `SELECT date_trunc($4, minute) AS at, task_name, duration_class,
            sum(runs)::int AS runs, sum(failures)::int AS failures, sum(retried)::int AS retried
     FROM manana_task_runs WHERE task_name = $1 AND minute >= $2 AND minute < $3
     GROUP BY 1, 2, 3`,
    [task, new Date(start), new Date(before), bucket],
  )
  const byBucket = new Map<number, RangeRow[]>()
  for (const row of rows) {
    const index = Math.floor((row.at.getTime() - start) / size)
    ;(byBucket.get(index) ?? byBucket.set(index, []).get(index)!).push(row)
  }
  const points = Array.from({ length: count }, (_, index) => {
    const { runs, failures, retried, p50Ms, p95Ms } = figuresOf(byBucket.get(index) ?? [])
    return { at: new Date(start + index * size).toISOString(), runs, failures, retried, p50Ms, p95Ms }
  })
  return { task, bucket, from: new Date(start).toISOString(), before: new Date(start + count * size).toISOString(), points, figures: figuresOf(rows) }
}
