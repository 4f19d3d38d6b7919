// The Tasks page's figures: every attempt that ends is counted once, by whoever ends it (a
// TypeScript worker's batch, a Python worker's finish or retry), with its run time; releases
// are not attempts; two transactions counting the same task never wait for each other.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { fetchIds } from '../../test/jobs.ts'
import { deferJobs } from '../queue/defer.ts'
import type { ConsoleContext } from './context.ts'
import { classMiddleMs, percentileMs, taskActivity, taskSeries } from './task-activity.ts'

const t = useTestDatabase()
const activity = async (task: string) => (await taskActivity(t as unknown as ConsoleContext)).find((found) => found.task === task)
const end = (outcomes: object[]) => t.sql('SELECT * FROM manana_end_attempts($1::jsonb)', [JSON.stringify(outcomes)])
/** Claims every ready job; returns their ids. */
const claim = () => fetchIds(t, 100)
/** Makes the jobs' current attempts look as if they started `seconds` ago. */
const startedAgo = (ids: number[], seconds: number) =>
  t.sql(`UPDATE procrastinate_events SET at = now() - make_interval(secs => $2) WHERE job_id = ANY ($1) AND type = 'started'`, [ids, seconds])

describe('task activity', () => {
  it('counts each ended attempt once, failures for good apart from retried attempts, and not releases', async () => {
    await deferJobs(t.db, [{ task: 'load' }, { task: 'load' }, { task: 'load' }, { task: 'load' }])
    const [a, b, c, d] = await claim()
    await end([
      { id: a, worker_id: null, outcome: 'succeeded', result: 1 },
      { id: b, worker_id: null, outcome: 'failed', error: { message: 'disk full' } },
    ])
    await end([
      { id: c, worker_id: null, outcome: 'failed', error: { message: 'timeout' }, retry_in: 0 },
      { id: d, worker_id: null, outcome: 'released' },
    ])
    expect(await activity('load')).toMatchObject({ lastHour: { runs: 3, failures: 1, retried: 1 }, lastDay: { runs: 3, failures: 1, retried: 1 } })
    // The retried one and the released one run again; a Python worker finishes one, retries the other.
    const again = await claim()
    expect(again.sort()).toEqual([c, d].sort())
    await t.sql('SELECT procrastinate_finish_job_v1($1, $2, false)', [c, 'succeeded'])
    await t.sql('SELECT procrastinate_retry_job_v2($1, now() + interval \'1 hour\', NULL, NULL, NULL)', [d])
    const load = await activity('load')
    expect(load).toMatchObject({ lastHour: { runs: 5, failures: 1, retried: 2 }, lastDay: { runs: 5, failures: 1, retried: 2 } })
    expect(load!.hourly.at(-1)).toEqual({ runs: 5, failures: 1 })
    expect(load!.hourly.slice(0, -1).every((hour) => hour.runs === 0)).toBe(true)
    expect(load!.latestFailures.map((failure) => failure.message)).toEqual(['timeout', 'disk full'])
    expect(load!.latestFailures[0]).toMatchObject({ jobId: c, attempt: 1, retried: true })
    expect(load!.latestFailures[1]).toMatchObject({ jobId: b, attempt: 1, retried: false })
  })

  it('measures run time from the attempt\'s start', async () => {
    await deferJobs(t.db, Array.from({ length: 20 }, () => ({ task: 'crunch' })))
    const ids = await claim()
    await startedAgo(ids.slice(0, 18), 2)
    await startedAgo(ids.slice(18), 60)
    await end(ids.map((id) => ({ id, worker_id: null, outcome: 'succeeded' })))
    const { lastHour } = (await activity('crunch'))!
    expect(lastHour.p50Ms! / 2000).toBeGreaterThan(1 / 1.19)
    expect(lastHour.p50Ms! / 2000).toBeLessThan(1.19)
    expect(lastHour.p95Ms! / 60_000).toBeGreaterThan(1 / 1.19)
    expect(lastHour.p95Ms! / 60_000).toBeLessThan(1.19)
  })

  it('classes each run time inline: no function call per ended attempt', async () => {
    await deferJobs(t.db, [{ task: 'inline' }, { task: 'inline' }])
    const ids = await claim()
    const client = await t.pool.connect()
    try {
      await client.query(`BEGIN; SET LOCAL track_functions = 'all'`)
      await client.query('SELECT * FROM manana_end_attempts($1::jsonb)', [JSON.stringify(ids.map((id) => ({ id, worker_id: null, outcome: 'succeeded' })))])
      const { rows } = await client.query(`SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE funcname IN ('manana_count_task_runs', 'manana_duration_class')`)
      // A function call, not inlined, cost 70 µs an end (4% of a DAG hop).
      expect(Object.fromEntries(rows.map((row) => [row.funcname, Number(row.calls)]))).toEqual({ manana_count_task_runs: 1 })
    } finally {
      await client.query('ROLLBACK')
      client.release()
    }
  })

  it('windows: 60 minutes, and 24 clock hours in hourly bars; old minutes merged into hours, a week and a day kept', async () => {
    const row = (at: string, backend: number, runs: number) =>
      t.sql(`INSERT INTO manana_task_runs VALUES (${at}, 'old', $1, 10, $2, 0)`, [backend, runs])
    await row(`date_trunc('minute', now())`, 1, 1)
    await row(`date_trunc('hour', now()) - interval '2 hours'`, 1, 2)
    await row(`date_trunc('hour', now()) - interval '2 hours' + interval '5 minutes'`, 2, 32)
    await row(`date_trunc('hour', now()) - interval '23 hours'`, 1, 4)
    await row(`date_trunc('hour', now()) - interval '24 hours'`, 1, 8)
    await row(`now() - interval '9 days'`, 1, 16)
    const before = (await activity('old'))!
    expect(before.lastHour.runs).toBe(1)
    expect(before.lastDay.runs).toBe(39)
    expect(before.hourly.map((hour) => hour.runs)).toEqual([4, ...Array(20).fill(0), 34, 0, 1])
    // Counting a new row merges old minutes and forgets what is older than eight days.
    await deferJobs(t.db, [{ task: 'new' }])
    const [id] = await claim()
    await end([{ id, worker_id: null, outcome: 'succeeded' }])
    const kept = await t.sql<{ backend: number; runs: number }>(`SELECT backend, runs FROM manana_task_runs WHERE task_name = 'old' ORDER BY minute`)
    expect(kept).toEqual([{ backend: 0, runs: 8 }, { backend: 0, runs: 4 }, { backend: 0, runs: 34 }, { backend: 1, runs: 1 }])
    expect(await activity('old')).toEqual(before)
  })

  it('two transactions ending jobs of one task never wait for each other', async () => {
    await deferJobs(t.db, [{ task: 'busy' }, { task: 'busy' }])
    const [a, b] = await claim()
    await startedAgo([a!, b!], 3) // one run time class: one row, were it shared
    const first = new pg.Client({ connectionString: t.url })
    const second = new pg.Client({ connectionString: t.url })
    await Promise.all([first.connect(), second.connect()])
    try {
      await first.query('BEGIN')
      await first.query(`SELECT * FROM manana_end_attempts($1::jsonb)`, [JSON.stringify([{ id: a, worker_id: null, outcome: 'succeeded' }])])
      await second.query(`SET lock_timeout = '2s'`)
      await second.query(`SELECT * FROM manana_end_attempts($1::jsonb)`, [JSON.stringify([{ id: b, worker_id: null, outcome: 'succeeded' }])])
      await first.query('COMMIT')
    } finally {
      await Promise.all([first.end(), second.end()])
    }
    expect((await activity('busy'))!.lastHour.runs).toBe(2)
  })

  it('sums the runs of a time range, by the minute and by the hour', async () => {
    const counted = (minute: string, task: string, runs: number, failures = 0) =>
      t.sql(`INSERT INTO manana_task_runs (minute, task_name, backend, duration_class, runs, failures) VALUES (${minute}, $1, 0, 10, $2, $3)`, [task, runs, failures])
    await counted(`date_trunc('minute', now()) - interval '5 minutes'`, 'nightly', 2, 1)
    await counted(`date_trunc('minute', now()) - interval '40 minutes'`, 'nightly', 3)
    await counted(`date_trunc('hour', now()) - interval '3 days'`, 'nightly', 7)
    await counted(`date_trunc('hour', now()) - interval '9 days'`, 'nightly', 100)
    const inRange = async (range: { from?: Date; before?: Date }) => (await taskActivity(t as unknown as ConsoleContext, range)).find((found) => found.task === 'nightly')!.inRange
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000)
    expect(await inRange({ from: ago(15) })).toMatchObject({ runs: 2, failures: 1, p50Ms: classMiddleMs(10) })
    expect(await inRange({ from: ago(60) })).toMatchObject({ runs: 5, failures: 1 })
    expect(await inRange({ from: ago(7 * 24 * 60) })).toMatchObject({ runs: 12 })
    expect(await inRange({ from: ago(7 * 24 * 60), before: ago(24 * 60) })).toMatchObject({ runs: 7, failures: 0 })
    expect(await inRange({ from: ago(100 * 24 * 60), before: ago(30 * 24 * 60) })).toMatchObject({ runs: 0, p50Ms: null })
    expect((await activity('nightly'))!.inRange).toBeUndefined()
  })

  it("gives one task's runs bucket by bucket: by the minute for the last hour, by the hour for a day or a week", async () => {
    const counted = (minute: string, runs: number, failures: number, durationClass: number, task = 'report') =>
      t.sql(`INSERT INTO manana_task_runs (minute, task_name, backend, duration_class, runs, failures) VALUES (${minute}, $1, 0, $4, $2, $3)`, [task, runs, failures, durationClass])
    const now = Date.parse('2026-12-06T17:30:20Z')
    const at = (iso: string) => `'${iso}'::timestamptz`
    await counted(at('2026-12-06T17:25:00Z'), 4, 1, 10)
    await counted(at('2026-12-06T17:25:00Z'), 1, 0, 20)
    await counted(at('2026-12-06T17:29:00Z'), 2, 0, 12)
    await counted(at('2026-12-06T17:29:00Z'), 9, 0, 12, 'other')
    await counted(at('2026-12-06T09:00:00Z'), 30, 3, 14)
    const series = (range: { from?: Date; before?: Date }) => taskSeries(t as unknown as ConsoleContext, 'report', range, now)
    const hour = await series({ from: new Date(now - 3_600_000) })
    expect(hour).toMatchObject({ task: 'report', bucket: 'minute', from: '2026-12-06T16:30:00.000Z', before: '2026-12-06T17:31:00.000Z', figures: { runs: 7, failures: 1 } })
    expect(hour.points).toHaveLength(61)
    expect(hour.points.find((point) => point.at === '2026-12-06T17:25:00.000Z')).toMatchObject({ runs: 5, failures: 1, p50Ms: classMiddleMs(10), p95Ms: classMiddleMs(20) })
    expect(hour.points.find((point) => point.at === '2026-12-06T17:26:00.000Z')).toMatchObject({ runs: 0, p50Ms: null })
    // The last 24 hours (the default): by the hour, the minutes summed into their hour.
    const day = await series({})
    expect(day).toMatchObject({ bucket: 'hour', from: '2026-12-05T17:00:00.000Z', before: '2026-12-06T18:00:00.000Z', figures: { runs: 37, failures: 4 } })
    expect(day.points).toHaveLength(25)
    expect(day.points.at(-1)).toMatchObject({ at: '2026-12-06T17:00:00.000Z', runs: 7 })
    expect(day.points.find((point) => point.at === '2026-12-06T09:00:00.000Z')).toMatchObject({ runs: 30, failures: 3 })
    // A week: 169 hours at most.
    expect((await series({ from: new Date(now - 7 * 86_400_000) })).points.length).toBeLessThanOrEqual(169)
  })

  it('classes run times by half powers of two of milliseconds', async () => {
    const ms = [0.5, 1, 1.41, 1.42, 2, 2.8285, 3, 4, 16, 1000, 1e7, 1e9]
    const rows = await t.sql<{ class: number }>("SELECT manana_duration_class(x * interval '1 millisecond') AS class FROM unnest($1::float8[]) WITH ORDINALITY AS u (x, i) ORDER BY i", [ms])
    expect(rows.map((row) => row.class)).toEqual([0, 1, 1, 2, 3, 3, 4, 5, 9, 20, 47, 48])
  })

  it('reads percentiles from counts by class', () => {
    expect(percentileMs(new Map(), 0.5)).toBeNull()
    expect(percentileMs(new Map([[0, 10]]), 0.95)).toBe(0.5)
    expect(percentileMs(new Map([[2, 50], [20, 50]]), 0.5)).toBe(classMiddleMs(2))
    expect(percentileMs(new Map([[2, 50], [20, 50]]), 0.51)).toBe(classMiddleMs(20))
    expect(classMiddleMs(20)).toBeCloseTo(2 ** 9.75)
  })
})
