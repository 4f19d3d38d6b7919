// The console's scrape: state gauges from the shared overview's queries, deadlocks from
// PostgreSQL's own statistics; the text is what a Prometheus server accepts.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { finish } from '../../test/jobs.ts'
import { parsePrometheusText, type Sample } from '../../test/prometheus-text.ts'
import { until } from '../../test/until.ts'
import { deferJobs } from '../queue/defer.ts'
import { QueueManager } from '../queue/queues.ts'
import { consoleMetricsText, databaseDeadlocks } from './metrics.ts'
import { getOverview } from './overview.ts'

const t = useTestDatabase()

async function scrape(): Promise<{ samples: Sample[]; types: Record<string, string> }> {
  const overview = { ...(await getOverview(t)), ageMs: 0 }
  return parsePrometheusText(consoleMetricsText(overview, await databaseDeadlocks(t.db)))
}
const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, v]) => sample.labels[key] === v))?.value

describe('the console metrics', () => {
  it('count jobs by queue and status, ready jobs and how long the first has waited, workers and claims ahead', async () => {
    const [mailA] = await deferJobs(t.db, [{ task: 'send', queue: 'mail' }, { task: 'send', queue: 'mail' }, { task: 'send', queue: 'mail', scheduleIn: 3600 }])
    const [parent, child] = await deferJobs(t.db, [{ task: 'load', key: 'p' }, { task: 'report', dependsOn: ['p'] }])
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '120 seconds' WHERE job_id = $1`, [mailA])
    const [{ id: worker }] = (await t.sql<{ id: string }>('INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id')) as [{ id: string }]

    let { samples, types } = await scrape()
    expect(types).toMatchObject({ manana_jobs: 'gauge', manana_ready_jobs: 'gauge', manana_database_deadlocks_total: 'counter' })
    expect(value(samples, 'manana_jobs', { queue: 'mail', status: 'todo' })).toBe(3)
    expect(value(samples, 'manana_jobs', { queue: 'default', status: 'todo' })).toBe(2)
    // The scheduled mail and the child waiting for its parent are not ready.
    expect(value(samples, 'manana_ready_jobs', { queue: 'mail' })).toBe(2)
    expect(value(samples, 'manana_ready_jobs', { queue: 'default' })).toBe(1)
    const mailAge = value(samples, 'manana_oldest_ready_job_age_seconds', { queue: 'mail' })!
    expect(mailAge).toBeGreaterThanOrEqual(120)
    expect(mailAge).toBeLessThan(150)
    expect(value(samples, 'manana_workers')).toBe(1)
    expect(value(samples, 'manana_claimed_ahead_jobs')).toBe(0)

    // The worker claims both ready mails, starting one now: the other is claimed ahead.
    await t.sql('SELECT id FROM manana_fetch_jobs($1, $2, 2, 1)', [['mail'], worker])
    // The child was deferred 2 minutes ago and its parent ended 30 s ago: it has been ready since then.
    await t.sql('SELECT id FROM manana_fetch_jobs($1, $2, 1)', [['default'], null])
    await finish(t, parent!, 'failed')
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '30 seconds' WHERE job_id = $1 AND type = 'failed'`, [parent])
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '120 seconds' WHERE job_id = $1`, [child])
    ;({ samples } = await scrape())
    expect(value(samples, 'manana_jobs', { queue: 'mail', status: 'doing' })).toBe(2)
    expect(value(samples, 'manana_ready_jobs', { queue: 'mail' })).toBe(0)
    expect(value(samples, 'manana_oldest_ready_job_age_seconds', { queue: 'mail' })).toBeUndefined()
    expect(value(samples, 'manana_claimed_ahead_jobs')).toBe(1)
    expect(value(samples, 'manana_jobs', { queue: 'default', status: 'failed' })).toBe(1)
    expect(value(samples, 'manana_ready_jobs', { queue: 'default' })).toBe(1)
    const childAge = value(samples, 'manana_oldest_ready_job_age_seconds', { queue: 'default' })!
    expect(childAge).toBeGreaterThanOrEqual(30)
    expect(childAge).toBeLessThan(60)
    expect(child).toBeGreaterThan(parent!)

    await new QueueManager(t.db).pause('mail')
    ;({ samples } = await scrape())
    expect(value(samples, 'manana_queue_paused', { queue: 'mail' })).toBe(1)
    expect(value(samples, 'manana_queue_paused', { queue: 'default' })).toBe(0)
    expect(value(samples, 'manana_queue_workers', { queue: 'mail' })).toBe(1)
    // That worker (no task names: as Python's) takes any task; one of Mañana's takes only its own.
    expect(samples.filter((sample) => sample.name === 'manana_ready_jobs_without_worker')).toEqual([])
    await t.sql(`UPDATE procrastinate_workers SET task_names = '{send}'`)
    ;({ samples } = await scrape())
    expect(samples.filter((sample) => sample.name === 'manana_ready_jobs_without_worker').map(({ labels, value }) => ({ ...labels, value }))).toEqual([
      { queue: 'default', task: 'report', value: 1 },
    ])
  })

  it("count the database's deadlocks", async () => {
    await t.sql('CREATE TABLE IF NOT EXISTS deadlock_test (id int PRIMARY KEY); INSERT INTO deadlock_test VALUES (1), (2) ON CONFLICT DO NOTHING')
    const before = value((await scrape()).samples, 'manana_database_deadlocks_total')!
    const [a, b] = [new pg.Client({ connectionString: t.url }), new pg.Client({ connectionString: t.url })]
    await Promise.all([a.connect(), b.connect()])
    try {
      await a.query('BEGIN; UPDATE deadlock_test SET id = id WHERE id = 1')
      await b.query('BEGIN; UPDATE deadlock_test SET id = id WHERE id = 2')
      // Each waits for the other's row: PostgreSQL ends one of them after deadlock_timeout.
      const outcomes = await Promise.allSettled([a.query('UPDATE deadlock_test SET id = id WHERE id = 2'), b.query('UPDATE deadlock_test SET id = id WHERE id = 1')])
      expect(outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason.code)).toEqual(['40P01'])
      await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')])
    } finally {
      await Promise.all([a.end(), b.end()])
    }
    // A backend reports its statistics within a second or so of going idle.
    await until(async () => value((await scrape()).samples, 'manana_database_deadlocks_total')! > before, 'the deadlock is counted')
  })
})
