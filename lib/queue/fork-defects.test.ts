// One test for each defect of the fork branch that first added dependencies to Procrastinate
// (../shared/PROCRASTINATE.md, "Known defects"), named for it.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { fetchIds, finish, listen, runNext, statusOf } from '../../test/jobs.ts'
import { deferJobs, deferWorkflow } from './defer.ts'
import { JobManager } from './job-manager.ts'

const t = useTestDatabase()
const jobs = () => new JobManager(t.db)

describe('defects of the fork branch, not repeated', () => {
  it('1. deferring is atomic: an unknown parent leaves no child behind to run at once', async () => {
    const [parent] = await deferJobs(t.db, [{ task: 'p' }])
    const error = await deferJobs(t.db, [
      { key: 'a', task: 'x' },
      { task: 'y', dependsOn: ['a', parent!, parent!, 999_999] },
    ]).catch((e) => e)
    expect(error).toMatchObject({ code: 'unknown_parent', message: expect.stringContaining('999999') })
    expect(await t.sql('SELECT id::int FROM procrastinate_jobs')).toEqual([{ id: parent }])
    expect(await t.sql('SELECT * FROM procrastinate_job_dependencies')).toEqual([])
  })

  it('2. the gate is in the fetch every caller uses, Python included, on a migrated database', async () => {
    // This database was built by `prisma migrate deploy`, as a user's would be.
    const [migrations] = await t.sql(`SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL`)
    expect(migrations!.n).toBeGreaterThan(0)
    const ids = await deferWorkflow(t.db, { parent: { task: 'p' }, child: { task: 'c', dependsOn: ['parent'] } })
    const pythonFetch = async () => (await t.sql('SELECT id FROM procrastinate_fetch_job_v2(NULL, NULL)'))[0]!.id
    expect(Number(await pythonFetch())).toBe(ids.parent)
    expect(await pythonFetch()).toBeNull()
    expect(await fetchIds(t, 10)).toEqual([])
    await finish(t, ids.parent, 'succeeded')
    expect(Number(await pythonFetch())).toBe(ids.child)
  })

  it('3. a waiting child sharing its parent\'s lock with a higher priority does not deadlock them', async () => {
    const ids = await deferWorkflow(t.db, {
      parent: { task: 'p', lock: 'shared', priority: 0 },
      child: { task: 'c', lock: 'shared', priority: 100, dependsOn: ['parent'] },
    })
    expect(await fetchIds(t, 10)).toEqual([ids.parent])
    await finish(t, ids.parent, 'succeeded')
    expect(await fetchIds(t, 10)).toEqual([ids.child])
  })

  it('4. fetching does not look at waiting children: 100,000 of them do not make a fetch dearer', async () => {
    await deferJobs(t.db, [{ task: 'unrelated', priority: -1 }])
    await t.sql('ANALYZE procrastinate_jobs')
    const before = await buffersOfOneFetch()
    expect(before.rows).toBe(1)

    const [parent] = await deferJobs(t.db, [{ task: 'parent', queue: 'elsewhere' }])
    await t.sql(`UPDATE procrastinate_jobs SET status = 'doing' WHERE id = $1`, [parent])
    await deferJobs(
      t.db,
      Array.from({ length: 100_000 }, () => ({ task: 'child', priority: 10, dependsOn: [parent!] })),
    )
    await t.sql('ANALYZE procrastinate_jobs')
    const after = await buffersOfOneFetch()
    expect(after.rows).toBe(1)
    // A scan of the waiting jobs would touch the table's pages by the thousand; a fetch touches
    // a few dozen. It writes the claimed row's new version into every index, which are a level
    // deeper now, hence a few more pages: that grows with the log of the table, not the waiting.
    const [table] = await t.sql(`SELECT relpages FROM pg_class WHERE relname = 'procrastinate_jobs'`)
    expect(table!.relpages).toBeGreaterThan(1000)
    console.log(`one fetch touched ${before.buffers} buffers with no waiting jobs, ${after.buffers} with 100,000`)
    expect(after.buffers).toBeLessThan(before.buffers + 30)
  })

  it('5. a child that becomes ready is announced at once, whoever finished its parent', async () => {
    const ids = await deferWorkflow(t.db, {
      a: { task: 'a' },
      b: { task: 'b' },
      child: { task: 'c', queue: 'reports', dependsOn: ['a', 'b'] },
    })
    const listener = await listen(t, ['procrastinate_queue_v1#reports', 'procrastinate_any_queue_v1'])
    try {
      await fetchIds(t, 2)
      await t.sql(`SELECT procrastinate_finish_job_v1($1, 'succeeded', false)`, [ids.a])
      expect(await listener.next(1)).toEqual([]) // still waiting on b
      await t.sql(`SELECT procrastinate_finish_job_v1($1, 'failed', false)`, [ids.b])
      const payload = { type: 'job_inserted', job_id: ids.child }
      expect(await listener.next(2)).toEqual([
        { channel: 'procrastinate_queue_v1#reports', payload },
        { channel: 'procrastinate_any_queue_v1', payload },
      ])
    } finally {
      await listener.close()
    }
  })

  it('6. deleting finished parents (retention, delete-on-success) neither unblocks children nor hides a failure', async () => {
    const ids = await deferWorkflow(t.db, {
      lone: { task: 'l' },
      failedParent: { task: 'p' },
      other: { task: 'o' },
      child: { task: 'c', dependsOn: ['failedParent', 'other'] },
    })
    await runNext(t, 'succeeded') // lone
    await runNext(t, 'failed') // failedParent
    await fetchIds(t) // other, then deleted on success as Python's delete_job does
    await t.sql(`SELECT procrastinate_finish_job_v1($1, 'succeeded', true)`, [ids.other])
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '3 days'`)
    expect(await jobs().prune({ olderThan: '24h' })).toBe(1) // lone only
    // Python's own cleanup deletes with plain SQL: the rows the child needs are kept all the same.
    await t.sql(`DELETE FROM procrastinate_jobs WHERE status IN ('succeeded', 'failed')`)
    expect(await jobs().parentStatuses(ids.child)).toEqual({ [ids.failedParent]: 'failed', [ids.other]: 'succeeded' })

    await runNext(t) // the child, which saw both parents
    expect(await jobs().prune({ olderThan: '24h' })).toBe(2)
    expect(await jobs().prune({ olderThan: 0 })).toBe(1)
    expect(await t.sql('SELECT * FROM procrastinate_jobs')).toEqual([])
  })

  it('7. retrying a parent can re-run the children that already ran, and says which first', async () => {
    const ids = await deferWorkflow(t.db, {
      parent: { task: 'p' },
      ran: { task: 'c1', dependsOn: ['parent'] },
      other: { task: 'o' },
      waiting: { task: 'c2', dependsOn: ['parent', 'other'] },
    })
    await runNext(t, 'failed') // parent
    await runNext(t, 'succeeded') // ran

    // This job only: the child that ran is left alone, the one still waiting is blocked again.
    expect((await jobs().retryPreview(ids.parent)).map((job) => job.id)).toEqual([ids.parent])
    expect(await jobs().retry(ids.parent)).toEqual([ids.parent])
    expect(await fetchIds(t, 1)).toEqual([ids.parent])
    await runNext(t, 'succeeded') // other
    expect(await fetchIds(t, 5)).toEqual([])
    await finish(t, ids.parent, 'failed')
    expect(await fetchIds(t, 5)).toEqual([ids.waiting])
    await finish(t, ids.waiting, 'succeeded')
    expect(await statusOf(t, ids.ran)).toBe('succeeded')

    // With downstream: both children run again, after the parent.
    expect((await jobs().retryPreview(ids.parent, { downstream: true })).map((job) => job.id)).toEqual([
      ids.parent,
      ids.ran,
      ids.waiting,
    ])
    await jobs().retry(ids.parent, { downstream: true })
    expect(await fetchIds(t, 5)).toEqual([ids.parent])
    await finish(t, ids.parent, 'succeeded')
    expect(await fetchIds(t, 5)).toEqual([ids.ran, ids.waiting])
  })
})

/**
 * Buffers (pages) one fetch touches, from EXPLAIN (ANALYZE, BUFFERS), rolled back. Measured
 * on the second of two runs on one connection, so that planning (catalog reads) is not counted.
 */
async function buffersOfOneFetch() {
  const client = await t.pool.connect()
  try {
    let plan: Record<string, number> = {}
    for (let run = 0; run < 2; run++) {
      await client.query('BEGIN')
      const { rows } = await client.query(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM manana_fetch_jobs(NULL, NULL, 1)`,
      )
      await client.query('ROLLBACK')
      plan = rows[0]['QUERY PLAN'][0].Plan
    }
    return { buffers: plan['Shared Hit Blocks']! + plan['Shared Read Blocks']!, rows: plan['Actual Rows'] }
  } finally {
    client.release()
  }
}
