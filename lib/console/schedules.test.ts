// Schedules: announced by the workers that run them, listed with their next and last tick, run
// now from the console, paused for every worker (Python's included: the rule is in the SQL that
// defers a tick).
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { until } from '../../test/until.ts'
import { Worker } from '../../worker/worker.ts'
import { createPool } from '../db/pool.ts'
import { createApp } from '../queue/app.ts'
import { pauseSchedule, resumeSchedule, runScheduleNow } from './actions.ts'
import { listSchedules } from './schedules.ts'

const t = useTestDatabase()
const ticks = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM procrastinate_jobs WHERE task_name = 'tick'`))[0]!.n
const pythonTick = (at: number) =>
  t.sql<{ id: string | null }>(`SELECT procrastinate_defer_periodic_job_v2('default', NULL, NULL, 'py.report', 0, '', $1, '{}') AS id`, [at])

describe('schedules', () => {
  it('are listed as announced, run now, and paused for every worker until resumed', async () => {
    const app = createApp({ databaseUrl: t.url })
    const tick = app.task('tick', { queue: 'clock' }, async () => null)
    app.periodic('* * * * * *', tick, { periodicId: 'every second', args: { region: 'eu' } })
    const worker = new Worker(app, { pollInterval: 0.2, queues: ['clock'], log: () => {} })
    const running = worker.run()
    const pool = createPool(t.url, { max: 2 })
    const who = { pool, audit: { actor: { name: 'alice', role: 'operator' as const }, source: null } }
    const key = { task: 'tick', periodicId: 'every second' }
    try {
      await until(async () => (await ticks()) >= 2, 'two ticks')
      const [listed] = await listSchedules(t.db)
      expect(listed).toMatchObject({ task: 'tick', periodicId: 'every second', cron: '* * * * * *', queue: 'clock', args: { region: 'eu' }, paused: null })
      expect(Date.parse(listed!.nextTick!) - Date.now()).toBeLessThanOrEqual(1000)
      expect(Date.now() - Date.parse(listed!.lastTick!)).toBeLessThan(5000)
      expect(listed!.lastJob).toMatchObject({ id: expect.any(Number) })

      expect(await pauseSchedule(who, key)).toBe(true)
      expect(await pauseSchedule(who, key)).toBe(false)
      // A tick whose statement began before the pause committed may still land: counted after it.
      await new Promise((resolve) => setTimeout(resolve, 1200))
      const paused = await ticks()
      await new Promise((resolve) => setTimeout(resolve, 2500))
      expect(await ticks()).toBe(paused) // no tick deferred by its worker meanwhile
      expect((await listSchedules(t.db))[0]).toMatchObject({ paused: { by: 'alice' }, nextTick: null })
      // Run now all the same: one job, with the schedule's arguments.
      const id = await runScheduleNow(who, key)
      expect((await t.sql('SELECT queue_name, args FROM procrastinate_jobs WHERE id = $1', [id]))[0]).toMatchObject({ queue_name: 'clock', args: { region: 'eu', timestamp: expect.any(Number) } })
      expect(await resumeSchedule(who, key)).toBe(true)
      await until(async () => (await ticks()) >= paused + 2, 'ticks again')
      expect(await t.sql(`SELECT action, outcome FROM manana_audit ORDER BY id`)).toEqual([
        { action: 'schedule.pause', outcome: 'ok' }, { action: 'schedule.pause', outcome: 'ok' }, { action: 'schedule.run', outcome: 'ok' }, { action: 'schedule.resume', outcome: 'ok' },
      ])
    } finally {
      worker.stop()
      await running
      await app.close()
      await pool.end()
    }
  })

  it("are known by their ticks when no worker announced them (a Python worker's), and paused for it too", async () => {
    const pool = createPool(t.url, { max: 2 })
    const who = { pool, audit: { actor: { name: 'alice', role: 'operator' as const }, source: null } }
    try {
      expect((await pythonTick(1_800_000_000))[0]!.id).not.toBeNull()
      expect(await listSchedules(t.db)).toEqual([{
        task: 'py.report', periodicId: '', cron: null, queue: null, args: null, nextTick: null,
        lastTick: new Date(1_800_000_000_000).toISOString(), lastJob: { id: expect.any(Number), status: 'todo' }, paused: null,
      }])
      await pauseSchedule(who, { task: 'py.report', periodicId: '' })
      expect((await pythonTick(1_800_000_060))[0]!.id).toBeNull() // as upstream's worker calls it
      await expect(runScheduleNow(who, { task: 'py.report', periodicId: '' })).rejects.toMatchObject({ code: 'schedule_not_found' })
      await expect(pauseSchedule(who, { task: 'py.nothing', periodicId: '' })).rejects.toMatchObject({ code: 'schedule_not_found' })
      await resumeSchedule(who, { task: 'py.report', periodicId: '' })
      expect((await pythonTick(1_800_000_120))[0]!.id).not.toBeNull()
    } finally {
      await pool.end()
    }
  })
})
