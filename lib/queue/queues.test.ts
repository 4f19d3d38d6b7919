import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { listen } from '../../test/jobs.ts'
import { explain } from '../console/explain.ts'
import { deferJobs } from './defer.ts'
import { QueueManager } from './queues.ts'

const t = useTestDatabase()
const queues = () => new QueueManager(t.db)
const fetchedIds = async (sql: string) => (await t.sql(sql)).map((row) => Number(row.id)).filter((id) => id > 0)

describe('paused queues', () => {
  it("are skipped by every fetch, Mañana's and upstream's, until resumed; resuming wakes the queue's workers", async () => {
    const [io, other] = await deferJobs(t.db, [{ task: 'download', queue: 'io' }, { task: 'report', queue: 'reports' }])
    expect(await queues().pause('io', 'alice')).toBe(true)
    expect(await queues().pause('io', 'bob')).toBe(false)
    expect(await queues().paused()).toMatchObject([{ queue: 'io', pausedBy: 'alice' }])
    expect(await fetchedIds('SELECT id FROM manana_fetch_jobs(NULL, NULL, 10)')).toEqual([other])
    expect(await fetchedIds(`SELECT id FROM procrastinate_fetch_job_v2('{io}', NULL)`)).toEqual([])
    const { sentences } = await explain(t, io!)
    expect(sentences).toContainEqual(expect.stringMatching(/^Its queue "io" is paused \(since .* UTC, by alice\): no worker starts its jobs until it is resumed\.$/))

    const channel = await listen(t, ['procrastinate_queue_v1#io'])
    expect(await queues().resume('io')).toBe(true)
    expect((await channel.next(1)).map((message) => (message.payload as { type: string }).type)).toEqual(['job_inserted'])
    await channel.close()
    expect(await queues().resume('io')).toBe(false)
    expect(await fetchedIds(`SELECT id FROM procrastinate_fetch_job_v2('{io}', NULL)`)).toEqual([io])
  })

  it('refuse a name that is no queue name, with a code, forced or not', async () => {
    for (const name of ['', 'x'.repeat(41), 'é'.repeat(21), 'x'.repeat(129), 'nul\u0000byte']) {
      await expect(queues().pause(name, null, { force: true })).rejects.toMatchObject({ code: 'invalid_queue' })
    }
    await expect(t.sql(`SELECT manana_pause_queue($1, NULL, true)`, ['x'.repeat(41)])).rejects.toThrow('a queue name has 1 to 40 bytes')
    expect(await queues().pause('x'.repeat(40), null, { force: true })).toBe(true)
  })

  it('pause only a queue that a job, a task or a worker knows, unless forced', async () => {
    await expect(queues().pause('reprots')).rejects.toMatchObject({ code: 'unknown_queue', message: expect.stringContaining('no job, task or worker knows queue reprots') })
    await expect(queues().pause('\u202egnp')).rejects.toMatchObject({ code: 'unknown_queue' })
    expect(await queues().paused()).toEqual([])
    await deferJobs(t.db, [{ task: 'report', queue: 'reports' }])
    await t.sql(`SELECT manana_register_worker('w', 'box', 1, '{listed}', 1, '[{"name": "upload", "queue_name": "uploads"}]', 1)`)
    for (const known of ['reports', 'uploads', 'listed']) expect(await queues().pause(known)).toBe(true)
    expect(await queues().pause('reports')).toBe(false) // paused already: known
    expect(await queues().pause('tomorrow', 'alice', { force: true, reason: 'the partner is down' })).toBe(true)
    await expect(queues().pause('listed', 'bob', { reason: 'x'.repeat(501) })).rejects.toMatchObject({ code: 'invalid_queue' })
    expect((await queues().paused()).map((paused) => `${paused.queue} ${paused.reason}`)).toEqual(['listed null', 'reports null', 'tomorrow the partner is down', 'uploads null'])
  })
})
