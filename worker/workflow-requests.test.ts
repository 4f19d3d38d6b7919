// Runs and previews of workflow definitions asked through the database (the console's, the REST
// API's and `manana run` without --app), answered by a worker that defines them.
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { useTestDatabase } from '../test/database.ts'
import { createApp, type App } from '../lib/queue/app.ts'
import { fromPg } from '../lib/queue/queryable.ts'
import { previewWorkflow, runWorkflow } from '../lib/console/workflow-runs.ts'
import { Worker } from './worker.ts'

const t = useTestDatabase()
const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop()
})

function etlApp() {
  const app = createApp({ databaseUrl: t.url })
  const download = app.task('download_data', { args: z.object({ url: z.url() }) }, async ({ url }) => ({ url }))
  const process = app.task('process_data', { parents: { download } }, async () => 1)
  app.workflow('etl', { input: z.object({ url: z.url().default('https://example.com/a.csv') }) }, (w, input) => {
    const downloaded = w.step('download', download, { url: input.url })
    w.step('process', process, {}, { after: { download: downloaded }, priority: 3 })
  })
  app.workflow('lonely', {}, (w) => {
    w.step('only', download, { url: 'https://example.com' })
  })
  app.workflow('wide', { input: z.object({ width: z.number().int() }) }, (w, { width }) => {
    for (let i = 0; i < width; i++) w.step(`part_${i}`, download, { url: 'https://example.com' })
  })
  app.workflow('broken', {}, () => {
    throw new Error('no steps today')
  })
  return app
}

/** A worker of `app` that runs nothing (its queue has no jobs) but answers workflow requests. */
async function startWorker(app: App) {
  await app.pool()
  const worker = new Worker(app, { queues: ['idle'], log: () => {} })
  const running = worker.run()
  stops.push(async () => {
    worker.stop()
    await running
    await app.close()
  })
  // Registered (and so announced) once the worker's row exists.
  for (let i = 0; i < 200 && !(await t.sql('SELECT 1 FROM manana_workflow_definitions')).length; i++) await new Promise((r) => setTimeout(r, 25))
}

describe('workflow requests', () => {
  it('run a definition through a worker: one new workflow recording its name and input, and the request gone', async () => {
    await startWorker(etlApp())
    const db = fromPg(t.pool)
    const run = await runWorkflow(db, 'etl', { url: 'https://example.com/b.csv' })
    const jobs = await t.sql<{ id: string; task_name: string; priority: number; workflow_id: string; parents: string[] | null }>(`
      SELECT id, task_name, priority, workflow_id,
             (SELECT array_agg(depends_on_job_id) FROM procrastinate_job_dependencies WHERE job_id = job.id) AS parents
      FROM procrastinate_jobs AS job ORDER BY id`)
    expect(jobs.map((job) => [Number(job.id), job.task_name, job.priority, Number(job.workflow_id), job.parents?.map(Number) ?? []])).toEqual([
      [run.jobs.download, 'download_data', 0, run.workflowId, []],
      [run.jobs.process, 'process_data', 3, run.workflowId, [run.jobs.download]],
    ])
    expect(await t.sql('SELECT id, name, input FROM manana_workflows')).toEqual([{ id: String(run.workflowId), name: 'etl', input: { url: 'https://example.com/b.csv' } }])
    expect(await t.sql('SELECT id FROM manana_workflow_requests')).toEqual([])
  })

  it('preview a run: the jobs and their edges, deferring nothing', async () => {
    await startWorker(etlApp())
    expect(await previewWorkflow(fromPg(t.pool), 'etl', {})).toEqual({
      jobs: [
        { key: 'download', task: 'download_data', args: { url: 'https://example.com/a.csv' }, dependsOn: [], queue: null, priority: 0 },
        { key: 'process', task: 'process_data', args: {}, dependsOn: ['download'], queue: null, priority: 3 },
      ],
      total: 2,
    })
    expect(await t.sql('SELECT id FROM procrastinate_jobs UNION ALL SELECT id FROM manana_workflows UNION ALL SELECT id FROM manana_workflow_requests')).toEqual([])
  })

  it('answer refusals with their codes, deferring nothing', async () => {
    await startWorker(etlApp())
    const db = fromPg(t.pool)
    await expect(runWorkflow(db, 'etl', { url: 'not a url' })).rejects.toMatchObject({ code: 'invalid_args', message: expect.stringContaining('url') })
    await expect(previewWorkflow(db, 'broken', {})).rejects.toMatchObject({ code: 'workflow_build_failed', message: expect.stringContaining('no steps today') })
    await expect(runWorkflow(db, 'nope', {})).rejects.toMatchObject({ code: 'workflow_definition_not_found' })
    expect(await t.sql('SELECT id FROM procrastinate_jobs UNION ALL SELECT id FROM manana_workflows UNION ALL SELECT id FROM manana_workflow_requests')).toEqual([])
  })

  it('hold a run to 10,000 jobs, refused as it is planned, and list at most 500 in a preview', async () => {
    await startWorker(etlApp())
    const db = fromPg(t.pool)
    const tooWide = { code: 'invalid_job', message: 'workflow wide: a workflow has at most 10,000 jobs, and step part_10000 would be one more' }
    await expect(runWorkflow(db, 'wide', { width: 100_001 })).rejects.toMatchObject(tooWide)
    await expect(previewWorkflow(db, 'wide', { width: 10_001 })).rejects.toMatchObject(tooWide)
    expect(await t.sql('SELECT id FROM procrastinate_jobs UNION ALL SELECT id FROM manana_workflows')).toEqual([])
    const preview = await previewWorkflow(db, 'wide', { width: 10_000 })
    expect(preview.total).toBe(10_000)
    expect(preview.jobs.map((job) => job.key)).toEqual(Array.from({ length: 500 }, (_, i) => `part_${i}`))
  })

  it('give up when no worker answers, and a worker that comes later does not defer what nobody waits for', async () => {
    const app = etlApp()
    await app.pool()
    await new Worker(app, { once: true, log: () => {} }).run() // announces, then is gone
    const db = fromPg(t.pool)
    await expect(runWorkflow(db, 'etl', {}, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'workflow_unavailable', message: expect.stringContaining('no worker that defines workflow etl answered') })
    expect(await t.sql('SELECT id FROM manana_workflow_requests')).toEqual([])
    await startWorker(etlApp())
    expect(await t.sql('SELECT id FROM procrastinate_jobs')).toEqual([])
  })

  it('expire when their requester stops waiting: a worker that comes later answers none, and a new request sweeps them', async () => {
    const app = etlApp()
    await app.pool()
    await new Worker(app, { once: true, log: () => {} }).run() // announces, then is gone
    // A requester that died before taking its answer (so never deleted its request).
    await t.sql(`SELECT manana_request_workflow('etl', '{}', false, 0.2)`)
    // One interrupted: its request is withdrawn.
    const db = fromPg(t.pool)
    await expect(runWorkflow(db, 'etl', {}, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ code: 'workflow_unavailable', message: expect.stringContaining('withdrawn') })
    await new Promise((resolve) => setTimeout(resolve, 200))
    await startWorker(etlApp())
    expect(await t.sql('SELECT id FROM procrastinate_jobs')).toEqual([])
    expect(await t.sql('SELECT answer FROM manana_workflow_requests')).toEqual([{ answer: null }])
    // A minute past their wait, leftovers (answered ones too) go with the next request.
    await t.sql(`INSERT INTO manana_workflow_requests (workflow_name, input, preview, answer, expires_at) VALUES ('etl', '{}', false, '{"jobs": {}}', now())`)
    await t.sql(`UPDATE manana_workflow_requests SET expires_at = now() - interval '61 seconds'`)
    expect((await previewWorkflow(db, 'etl', {})).total).toBe(2)
    expect(await t.sql('SELECT id FROM manana_workflow_requests')).toEqual([])
    await expect(t.sql(`SELECT manana_request_workflow('etl', '{}', false, 0)`)).rejects.toThrow('a request waits 0.01 to 3600 seconds')
  })

  it('a definition without edges still makes its own workflow', async () => {
    const app = etlApp()
    stops.push(() => app.close())
    await app.workflows.get('lonely')!.defer({})
    expect(await t.sql('SELECT name, input FROM manana_workflows')).toEqual([{ name: 'lonely', input: {} }])
    expect(await t.sql('SELECT count(*)::int AS n FROM procrastinate_jobs WHERE workflow_id IS NOT NULL')).toEqual([{ n: 1 }])
  })
})
