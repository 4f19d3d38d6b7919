// The edges between jobs hold only jobs that exist, whoever writes them (Mañana's functions,
// Python's, plain SQL), and go with either of their jobs: the edge trigger checks and locks each
// job an insert names once, and statement triggers on the jobs delete their edges.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { deferJobs, deferWorkflow } from './defer.ts'

const t = useTestDatabase()
const edges = () => t.sql<{ job_id: string; depends_on_job_id: string }>('SELECT job_id, depends_on_job_id FROM procrastinate_job_dependencies ORDER BY 1, 2')

describe('edges between jobs', () => {
  it('are refused, none of them written, when a job they name does not exist', async () => {
    const [a, b] = await deferJobs(t.db, [{ task: 'a' }, { task: 'b' }])
    const insert = (values: string) => t.sql(`INSERT INTO procrastinate_job_dependencies (job_id, depends_on_job_id) VALUES ${values}`).catch((error) => error)
    expect(await insert(`(${b}, ${a}), (${b}, 999998), (${b}, 999999)`)).toMatchObject({ code: 'unknown_parent', message: 'parent job(s) 999998, 999999 do not exist' })
    expect(await insert(`(${b}, ${a}), (999997, ${a})`)).toMatchObject({ code: 'job_not_found', message: expect.stringContaining('999997') })
    expect(await edges()).toEqual([])
    // Between jobs that exist, the child's count is kept as ever.
    await insert(`(${b}, ${a})`)
    expect(await t.sql('SELECT unfinished_parents FROM procrastinate_jobs WHERE id = $1', [b])).toEqual([{ unfinished_parents: 1 }])
  })

  it('onto a parent deleted while they are deferred: unknown_parent, and nothing deferred', async () => {
    const [parent] = await deferJobs(t.db, [{ task: 'p' }])
    const deleting = await t.pool.connect()
    try {
      await deleting.query('BEGIN')
      await deleting.query('DELETE FROM procrastinate_jobs WHERE id = $1', [parent])
      // Deferring sees the parent (its deletion is not committed) and waits for it at the edge.
      const deferring = deferJobs(t.db, [{ task: 'c', dependsOn: [parent!] }]).catch((error) => error)
      await expect.poll(async () => (await t.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0]!.n).toBe(1)
      await deleting.query('COMMIT')
      expect(await deferring).toMatchObject({ code: 'unknown_parent', message: `parent job(s) ${parent} do not exist` })
    } finally {
      deleting.release()
    }
    expect(await t.sql('SELECT id FROM procrastinate_jobs')).toEqual([])
    expect(await edges()).toEqual([])
  })

  it('go with a deleted job, whether its parent or its child, and with the jobs truncated', async () => {
    const ids = await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] }, c: { task: 'c', dependsOn: ['b'] } })
    await t.sql(`UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = $1`, [ids.a])
    await t.sql(`UPDATE procrastinate_jobs SET status = 'failed' WHERE id = $1`, [ids.b])
    // c, a child still waiting, takes its edge from b; then a, b's ended parent, its edge to b.
    await t.sql('DELETE FROM procrastinate_jobs WHERE id = $1', [ids.c])
    expect(await edges()).toEqual([{ job_id: String(ids.b), depends_on_job_id: String(ids.a) }])
    await t.sql('DELETE FROM procrastinate_jobs WHERE id = $1', [ids.a])
    expect(await edges()).toEqual([])
    await deferWorkflow(t.db, { d: { task: 'd' }, e: { task: 'e', dependsOn: ['d'] } })
    await t.sql('TRUNCATE procrastinate_jobs CASCADE')
    expect(await edges()).toEqual([])
  })
})
