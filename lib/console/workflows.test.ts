// Workflows by name: named when deferred, listed with their status and times, found by name.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { runNext } from '../../test/jobs.ts'
import { deferJobs, deferWorkflow } from '../queue/defer.ts'
import { JobManager } from '../queue/job-manager.ts'
import type { WorkflowStatus } from '../queue/job.ts'
import { z } from 'zod'
import { Worker } from '../../worker/worker.ts'
import { createApp } from '../queue/app.ts'
import { listWorkflowDefinitions, listWorkflows } from './catalog.ts'
import { runsGrid } from './runs-grid.ts'
import type { ConsoleContext } from './context.ts'

const t = useTestDatabase()
const list = (name?: string, status?: WorkflowStatus) => listWorkflows(t as unknown as ConsoleContext, { limit: 25, name, status })

describe('workflows', () => {
  it('are named when deferred; jobs deferred onto them later keep that name', async () => {
    const ids = await deferWorkflow(t.db, { a: { task: 'extract' }, b: { task: 'load', dependsOn: ['a'] } }, { name: 'nightly_etl 100%' })
    await deferJobs(t.db, [{ task: 'late', dependsOn: [ids.b] }], { name: 'not a new workflow' })
    await deferWorkflow(t.db, { x: { task: 'extract' }, y: { task: 'load', dependsOn: ['x'] } })
    expect((await list()).workflows.map((workflow) => workflow.name)).toEqual(['x', 'nightly_etl 100%'])
    await expect(deferWorkflow(t.db, { a: { task: 'x' }, b: { task: 'x', dependsOn: ['a'] } }, { name: 'n'.repeat(201) })).rejects.toMatchObject({ code: 'invalid_job' })
  })

  it('are found by the start of their name, wildcards taken literally', async () => {
    await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name: 'nightly_etl' })
    await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name: 'nightlyXetl' })
    await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name: 'weekly' })
    expect((await list('nightly_')).workflows.map((workflow) => workflow.name)).toEqual(['nightly_etl'])
    expect((await list('nightly')).workflows.map((workflow) => workflow.name)).toEqual(['nightlyXetl', 'nightly_etl'])
  })

  it('are found by when they began: the last hour, or from one time to another', async () => {
    for (const name of ['old', 'recent', 'new']) await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name })
    await t.sql(`UPDATE manana_workflows SET created_at = now() - interval '2 days' WHERE name = 'old'`)
    await t.sql(`UPDATE manana_workflows SET created_at = now() - interval '30 minutes' WHERE name = 'recent'`)
    const named = async (range: object) => (await listWorkflows(t as unknown as ConsoleContext, { limit: 25, ...range })).workflows.map((workflow) => workflow.name)
    expect(await named({ range: '1h' })).toEqual(['new', 'recent'])
    expect(await named({ range: '15m' })).toEqual(['new'])
    expect(await named({ from: new Date(Date.now() - 3 * 86_400_000).toISOString(), to: new Date(Date.now() - 3_600_000).toISOString() })).toEqual(['old'])
    expect(await named({ range: '7d' })).toEqual(['new', 'recent', 'old'])
  })

  it('say whether they run, failed or succeeded, and when they ended', async () => {
    await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name: 'w' })
    expect((await list()).workflows[0]).toMatchObject({ status: 'running', endedAt: null })
    await runNext(t, 'succeeded')
    await runNext(t, 'failed')
    const [workflow] = (await list()).workflows
    expect(workflow).toMatchObject({ status: 'failed', counts: { succeeded: 1, failed: 1 } })
    expect(Date.parse(workflow!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(workflow!.createdAt))
  })

  it('filter by status: running, failed (a job failed or was aborted), cancelled, succeeded', async () => {
    const pair = (name: string) => deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name })
    const failed = await pair('failed')
    const cancelled = await pair('cancelled')
    const succeeded = await pair('succeeded')
    await pair('running')
    const finish = (id: number, status: string) => t.sql(`UPDATE procrastinate_jobs SET status = $2 WHERE id = $1`, [id, status])
    await finish(failed.a, 'aborted')
    await finish(failed.b, 'cancelled')
    await finish(cancelled.a, 'succeeded')
    await finish(cancelled.b, 'cancelled')
    await finish(succeeded.a, 'succeeded')
    await finish(succeeded.b, 'succeeded')
    for (const status of ['running', 'failed', 'cancelled', 'succeeded'] as const) {
      const { workflows } = await list(undefined, status)
      expect(workflows.map((workflow) => [workflow.name, workflow.status])).toEqual([[status, status]])
    }
  })

  it("retry their failures: failed and aborted jobs and everything finished downstream, previewed first", async () => {
    // a → b → c, a → d; x fails on its own; e waits on c.
    const ids = await deferWorkflow(t.db, {
      a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] }, c: { task: 'c', dependsOn: ['b'] }, d: { task: 'd', dependsOn: ['a'] },
      x: { task: 'x' }, e: { task: 'e', dependsOn: ['c', 'x'] },
    }, { name: 'w' })
    const set = (status: string, ...jobs: number[]) => t.sql(`UPDATE procrastinate_jobs SET status = $2 WHERE id = ANY ($1)`, [jobs, status])
    await set('succeeded', ids.a, ids.d)
    await set('failed', ids.b)
    await set('aborted', ids.x)
    await set('succeeded', ids.c)
    const jobs = new JobManager(t.db)
    const workflowId = (await list()).workflows[0]!.id
    const preview = await jobs.workflowRetryPreview(workflowId)
    expect(preview.map((target) => [target.id, target.depth])).toEqual([[ids.b, 0], [ids.x, 0], [ids.c, 1]])
    expect(await jobs.retryWorkflow(workflowId)).toEqual(expect.arrayContaining([ids.b, ids.x, ids.c]))
    const rows = await t.sql<{ id: string; status: string; unfinished_parents: number }>('SELECT id, status, unfinished_parents FROM procrastinate_jobs ORDER BY id')
    expect(rows.map((row) => [Number(row.id), row.status, row.unfinished_parents])).toEqual([
      [ids.a, 'succeeded', 0], [ids.b, 'todo', 0], [ids.c, 'todo', 1], [ids.d, 'succeeded', 0], [ids.x, 'todo', 0], [ids.e, 'todo', 2],
    ])
    expect(await jobs.workflowRetryPreview(workflowId)).toEqual([])
    await expect(jobs.workflowRetryPreview(999)).rejects.toMatchObject({ code: 'workflow_not_found' })
    await expect(jobs.retryWorkflow(999)).rejects.toMatchObject({ code: 'workflow_not_found' })
  })

  it('defined by apps are announced by their workers, and listed with their last runs by exact name', async () => {
    const app = createApp({ databaseUrl: t.url })
    const step = app.task('step', {}, async () => null)
    const nightly = app.workflow('nightly_etl', { input: z.object({ day: z.iso.date() }) }, (w, { day }) => {
      const first = w.step('first', step, { day })
      return { last: w.step('last', step, { day }, { after: [first] }) }
    })
    app.workflow('bare', {}, (w) => ({ only: w.step('only', step, {}) }))
    await new Worker(app, { once: true, log: () => {} }).run()
    await nightly.defer({ day: '2026-12-01' })
    await deferWorkflow(t.db, { a: { task: 'step' }, b: { task: 'step', dependsOn: ['a'] } }, { name: 'nightlyXetl' })
    const definitions = await listWorkflowDefinitions(t as unknown as ConsoleContext)
    expect(definitions.map((definition) => [definition.name, definition.lastRuns.map((run) => run.name)])).toEqual([['bare', []], ['nightly_etl', ['nightly_etl']]])
    expect(definitions[1]!.inputSchema).toMatchObject({ type: 'object', required: ['day'] })
    expect(definitions[0]!.inputSchema).toBeNull()
    await app.close()
  })

  it("lay a definition's last runs out by step (the runs grid): each step's job, status and run time", async () => {
    const app = createApp({ databaseUrl: t.url })
    const step = app.task('step', {}, async () => null)
    const etl = app.workflow('grid_etl', {}, (w) => {
      const download = w.step('download', step, {})
      const process = w.step('process', step, {}, { after: [download] })
      return { report: w.step('report', step, {}, { after: [process] }) }
    })
    await new Worker(app, { once: true, log: () => {} }).run() // announces it
    const first = await etl.defer({})
    const second = await etl.defer({})
    // The first run went through (its download failed), the second has not started.
    await runNext(t, 'failed')
    await runNext(t)
    await runNext(t)
    const grid = await runsGrid(t.db, 'grid_etl')
    expect(grid.steps).toEqual([{ key: 'download', task: 'step' }, { key: 'process', task: 'step' }, { key: 'report', task: 'step' }])
    expect(grid.runs.map((run) => [run.status, Object.values(run.cells).map((cell) => cell.status)])).toEqual([
      ['running', ['todo', 'todo', 'todo']],
      ['failed', ['failed', 'succeeded', 'succeeded']],
    ])
    expect(grid.runs[1]!.cells.download).toEqual({ jobId: 1, status: 'failed', ranMs: expect.any(Number) })
    expect(grid.runs[1]!.cells.report!.jobId).toBe(first.report)
    expect(grid.runs[0]!.cells.report).toEqual({ jobId: second.report, status: 'todo', ranMs: null })
    expect((await runsGrid(t.db, 'grid_etl', 1)).runs).toHaveLength(1)
    await expect(runsGrid(t.db, 'no_such_definition')).rejects.toMatchObject({ code: 'workflow_definition_not_found' })
    await app.close()
  })

  it("fold a map step's items into one row of the runs grid: its worst item, with the slowest item's time", async () => {
    const app = createApp({ databaseUrl: t.url })
    const list = app.task('list', {}, async () => ({ items: [{ n: 1 }, { n: 2 }, { n: 3 }] }))
    const item = app.task('item', {}, async ({ n }: { n: number }) => {
      await new Promise((resolve) => setTimeout(resolve, n * 20))
      if (n === 2) throw new Error('item 2 fails')
    })
    const mapped = app.workflow('grid_map', {}, (w) => {
      const listed = w.step('list', list, {})
      const items = w.map('item', item, { over: listed, items: (result) => result.items })
      w.step('sink', list, {}, { after: [items] })
    })
    await mapped.defer({})
    await new Worker(app, { once: true, log: () => {} }).run()
    const grid = await runsGrid(t.db, 'grid_map')
    // The items' row comes right after the map step, though their jobs come after the whole run's.
    expect(grid.steps).toEqual([{ key: 'list', task: 'list' }, { key: 'item', task: 'manana_map:grid_map' }, { key: 'item[*]', task: 'item' }, { key: 'sink', task: 'list' }])
    const [failed] = await t.sql(`SELECT id FROM procrastinate_jobs WHERE step_key = 'item[1]'`)
    const cell = grid.runs[0]!.cells['item[*]']!
    expect(cell).toMatchObject({ jobId: Number(failed!.id), status: 'failed' })
    // The slowest item by its own attempt's time (item[2] sleeps longest, but a loaded machine can make another slower).
    const items = await t.sql(`SELECT attempt.ran_ms FROM procrastinate_jobs job, manana_last_attempt(job.id) attempt WHERE job.step_key LIKE 'item[%'`)
    expect(items).toHaveLength(3)
    expect(cell.ranMs).toBe(Math.max(...items.map((row) => Number(row.ran_ms))))
    await app.close()
  })
})
