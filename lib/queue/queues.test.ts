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

  it('refuse a name that is no queue name, with a code', async () => {
    for (const name of ['', 'x'.repeat(129), 'nul\u0000byte']) await expect(queues().pause(name)).rejects.toMatchObject({ code: 'invalid_job' })
    expect(await queues().paused()).toEqual([])
  })
})
