// A step's rule for its parents' outcomes (run_when), kept in SQL: 'all_succeeded' steps are
// cancelled as soon as a parent does not succeed, with their 'all_succeeded' descendants;
// 'any_failed' steps run only after a failure; the default runs whatever happened.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { explain } from '../console/explain.ts'
import { deferWorkflow } from './defer.ts'
import { JobManager } from './job-manager.ts'

const t = useTestDatabase()

const statuses = async () =>
  Object.fromEntries((await t.sql<{ id: string; status: string }>('SELECT id, status FROM procrastinate_jobs ORDER BY id')).map((row) => [Number(row.id), row.status]))
const ruleLogs = async () =>
  (await t.sql<{ job_id: string; message: string }>("SELECT job_id, message FROM manana_job_logs WHERE attempt = 0 ORDER BY job_id")).map((row) => [Number(row.job_id), row.message])
/** Ends a doing or todo job as Python Procrastinate's worker does: procrastinate_finish_job_v1. */
const pyFinish = async (id: number, status: 'succeeded' | 'failed') => {
  await t.sql("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = $1", [id])
  await t.sql('SELECT procrastinate_finish_job_v1($1, $2, false)', [id, status])
}

describe('run_when', () => {
  it("cancels an all_succeeded step and its all_succeeded descendants as soon as a parent fails; default and any_failed steps run", async () => {
    const ids = await deferWorkflow(t.db, {
      extract: { task: 'extract' },
      slow: { task: 'slow' },
      load: { task: 'load', dependsOn: ['extract', 'slow'], runWhen: 'all_succeeded' },
      publish: { task: 'publish', dependsOn: ['load'], runWhen: 'all_succeeded' },
      archive: { task: 'archive', dependsOn: ['publish'], runWhen: 'all_succeeded' },
      report: { task: 'report', dependsOn: ['load'] },
      cleanup: { task: 'cleanup', dependsOn: ['extract', 'slow'], runWhen: 'any_failed' },
    })
    await pyFinish(ids.extract, 'failed')
    // Cancelled at once, without waiting for `slow`; the default child is ready; cleanup waits for slow.
    expect(await statuses()).toMatchObject({ [ids.slow]: 'todo', [ids.load]: 'cancelled', [ids.publish]: 'cancelled', [ids.archive]: 'cancelled', [ids.report]: 'todo', [ids.cleanup]: 'todo' })
    expect((await t.sql('SELECT unfinished_parents FROM procrastinate_jobs WHERE id = $1', [ids.report]))[0]).toEqual({ unfinished_parents: 0 })
    expect(await ruleLogs()).toEqual([
      [ids.load, 'cancelled by its rule (run_when all_succeeded): parent 1 (extract) ended failed'],
      [ids.publish, `cancelled by its rule (run_when all_succeeded): parent ${ids.load} (load) is cancelled`],
      [ids.archive, `cancelled by its rule (run_when all_succeeded): parent ${ids.publish} (publish) is cancelled`],
    ])
    await pyFinish(ids.slow, 'succeeded')
    expect((await t.sql('SELECT status, unfinished_parents FROM procrastinate_jobs WHERE id = $1', [ids.cleanup]))[0]).toEqual({ status: 'todo', unfinished_parents: 0 })
    expect((await explain(t, ids.load)).sentences).toEqual([`It was cancelled by its rule (run_when all_succeeded): parent 1 (extract) ended failed.`])
    expect((await explain(t, ids.cleanup)).sentences).toEqual([
      'No live worker serves queue "default".',
      'It runs only if one of its parents does not succeed (run_when any_failed), once they all have ended.',
    ])
    // The events say cancelled, as for any cancellation.
    expect(await t.sql("SELECT count(*)::int AS n FROM procrastinate_events WHERE type = 'cancelled'")).toEqual([{ n: 3 }])
  })

  it('runs all_succeeded steps when every parent succeeded, and cancels any_failed ones', async () => {
    const ids = await deferWorkflow(t.db, {
      a: { task: 'a' },
      b: { task: 'b' },
      both: { task: 'both', dependsOn: ['a', 'b'], runWhen: 'all_succeeded' },
      alert: { task: 'alert', dependsOn: ['a', 'b'], runWhen: 'any_failed' },
      after_alert: { task: 'after_alert', dependsOn: ['alert'], runWhen: 'all_succeeded' },
    })
    await pyFinish(ids.a, 'succeeded')
    expect((await statuses())[ids.alert]).toBe('todo')
    await pyFinish(ids.b, 'succeeded')
    expect(await statuses()).toMatchObject({ [ids.both]: 'todo', [ids.alert]: 'cancelled', [ids.after_alert]: 'cancelled' })
    expect(await ruleLogs()).toEqual([
      [ids.alert, 'cancelled by its rule (run_when any_failed): all its parents succeeded'],
      [ids.after_alert, `cancelled by its rule (run_when all_succeeded): parent ${ids.alert} (alert) is cancelled`],
    ])
    expect((await t.sql('SELECT unfinished_parents FROM procrastinate_jobs WHERE id = $1', [ids.both]))[0]).toEqual({ unfinished_parents: 0 })
  })

  it('applies to jobs deferred onto parents that have already ended', async () => {
    const { parent } = await deferWorkflow(t.db, { parent: { task: 'p' } })
    await pyFinish(parent, 'failed')
    const ids = await deferWorkflow(t.db, {
      strict: { task: 's', dependsOn: [parent], runWhen: 'all_succeeded' },
      strict_child: { task: 's', dependsOn: ['strict'], runWhen: 'all_succeeded' },
      cleanup: { task: 'c', dependsOn: [parent], runWhen: 'any_failed' },
    })
    expect(await statuses()).toMatchObject({ [ids.strict]: 'cancelled', [ids.strict_child]: 'cancelled', [ids.cleanup]: 'todo' })
  })

  it('cancels a chain of 3,000 all_succeeded steps in one statement (no nesting per step)', async () => {
    const chain: Record<string, { task: string; dependsOn?: string[]; runWhen?: 'all_succeeded' }> = { s0: { task: 'first' } }
    for (let i = 1; i < 3000; i++) chain[`s${i}`] = { task: 'next', dependsOn: [`s${i - 1}`], runWhen: 'all_succeeded' }
    const ids = await deferWorkflow(t.db, chain)
    await pyFinish(ids.s0!, 'failed')
    expect(await t.sql("SELECT status, count(*)::int AS n FROM procrastinate_jobs GROUP BY status ORDER BY status")).toEqual([
      { status: 'failed', n: 1 },
      { status: 'cancelled', n: 2999 },
    ])
  })

  it('refuses an unknown rule, deferring nothing', async () => {
    await expect(deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'], runWhen: 'sometimes' as never } })).rejects.toMatchObject({
      code: 'invalid_job',
      message: 'job b: run_when must be all_finished, all_succeeded or any_failed',
    })
    expect(await t.sql('SELECT id FROM procrastinate_jobs')).toEqual([])
  })

  it('runs what a failure cancelled once an operator marks it succeeded with a result (as Airflow\'s mark success), and only that', async () => {
    const ids = await deferWorkflow(t.db, {
      extract: { task: 'extract' },
      broken: { task: 'broken' },
      load: { task: 'load', dependsOn: ['extract'], runWhen: 'all_succeeded' },
      publish: { task: 'publish', dependsOn: ['load'], runWhen: 'all_succeeded' },
      report: { task: 'report', dependsOn: ['extract'] },
      merge: { task: 'merge', dependsOn: ['extract', 'broken'], runWhen: 'all_succeeded' },
    })
    await pyFinish(ids.broken, 'failed')
    await pyFinish(ids.extract, 'failed')
    await pyFinish(ids.report, 'succeeded') // it ran, having seen extract fail
    expect(await statuses()).toMatchObject({ [ids.load]: 'cancelled', [ids.publish]: 'cancelled', [ids.merge]: 'cancelled' })
    const jobs = new JobManager(t.db)
    expect(await jobs.markSucceeded(ids.extract, { rows: 42 }, 'alice')).toEqual([ids.load, ids.publish])
    // load is ready, publish waits for it; report is left as it is; merge's other parent failed, so it stays cancelled.
    expect(await statuses()).toMatchObject({ [ids.extract]: 'succeeded', [ids.load]: 'todo', [ids.publish]: 'todo', [ids.report]: 'succeeded', [ids.merge]: 'cancelled' })
    expect(await t.sql('SELECT id, unfinished_parents, result FROM procrastinate_jobs WHERE id = ANY ($1) ORDER BY id', [[ids.extract, ids.load, ids.publish]])).toEqual([
      { id: String(ids.extract), unfinished_parents: 0, result: { rows: 42 } },
      { id: String(ids.load), unfinished_parents: 0, result: null },
      { id: String(ids.publish), unfinished_parents: 1, result: null },
    ])
    expect(await t.sql("SELECT type FROM procrastinate_events WHERE job_id = $1 ORDER BY id", [ids.extract])).toEqual([
      { type: 'deferred' }, { type: 'started' }, { type: 'failed' }, { type: 'succeeded' },
    ])
    expect(await t.sql('SELECT attempt, level, message FROM manana_job_logs WHERE job_id = $1', [ids.extract])).toEqual([
      { attempt: 1, level: 'warn', message: 'marked succeeded by alice (it had failed)' },
    ])
    expect((await t.sql('SELECT manana_get_parent_statuses($1) AS statuses', [ids.load]))[0]).toEqual({ statuses: { [ids.extract]: 'succeeded' } })
    // Only a job that failed, was aborted or was cancelled; nothing changes when refused.
    for (const id of [ids.extract, ids.load]) await expect(jobs.markSucceeded(id, null)).rejects.toMatchObject({ code: 'job_not_markable' })
    await expect(jobs.markSucceeded(999_999, null)).rejects.toMatchObject({ code: 'job_not_found' })
    await expect(jobs.markSucceeded(ids.merge, { text: 'a\u0000b' })).rejects.toMatchObject({ code: 'invalid_args' })
    expect(await statuses()).toMatchObject({ [ids.merge]: 'cancelled', [ids.load]: 'todo' })
  })
})
