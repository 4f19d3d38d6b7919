// Workflows as definitions: composed from typed steps, checked by the compiler (a step's `after`
// must give its task the parents it declared), deferred atomically under their name with their
// input checked, and run as any workflow.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { useTestDatabase } from '../../test/database.ts'
import { Worker } from '../../worker/worker.ts'
import { createApp } from './app.ts'
import type { Parent } from './parents.ts'

const t = useTestDatabase()

function etlApp() {
  const app = createApp({ databaseUrl: t.url })
  const download = app.task('download_data', { args: z.object({ url: z.url() }) }, async ({ url }) => ({ url, rows: 10 }))
  const process = app.task('process_data', { parents: { download } }, async (_args, ctx) => {
    const { download: parent } = await ctx.parents()
    return { rows: parent.status === 'succeeded' ? parent.result.rows * 2 : 0 }
  })
  const report = app.task('generate_report', { parents: { process } }, async (_args, ctx) => {
    const { process: parent } = await ctx.parents()
    return { report: `${parent.status === 'succeeded' ? parent.result.rows : 'no'} rows` }
  })
  const notify = app.task('notify', {}, async ({ channel }: { channel: string }) => channel)
  const etl = app.workflow('etl', { input: z.object({ url: z.url(), channel: z.string().default('ops') }) }, (w, input) => {
    const downloaded = w.step('download', download, { url: input.url })
    const processed = w.step('process', process, {}, { after: { download: downloaded } })
    const reported = w.step('report', report, {}, { after: { process: processed }, priority: 5 })
    w.step('notify', notify, { channel: input.channel }, { after: [reported] })
    return { downloaded, reported }
  })
  return { app, etl, download, process, report, notify }
}

describe('workflow definitions', () => {
  it('defer their steps atomically under their name, with edges from `after`, and run', async () => {
    const { app, etl } = etlApp()
    const ids = await etl.defer({ url: 'https://example.com/a.csv' })
    expectTypeOf(ids).toEqualTypeOf<{ downloaded: number; reported: number }>()
    const jobs = await t.sql<{ id: string; task_name: string; priority: number; args: unknown; parents: string[] | null }>(`
      SELECT job.id, job.task_name, job.priority, job.args,
             (SELECT array_agg(edge.depends_on_job_id ORDER BY edge.depends_on_job_id) FROM procrastinate_job_dependencies AS edge WHERE edge.job_id = job.id) AS parents
      FROM procrastinate_jobs AS job ORDER BY job.id`)
    expect(jobs.map((job) => [job.task_name, job.priority, job.args, job.parents?.map(Number) ?? []])).toEqual([
      ['download_data', 0, { url: 'https://example.com/a.csv' }, []],
      ['process_data', 0, {}, [ids.downloaded]],
      ['generate_report', 5, {}, [ids.downloaded + 1]],
      ['notify', 0, { channel: 'ops' }, [ids.reported]],
    ])
    expect(await t.sql('SELECT name FROM manana_workflows')).toEqual([{ name: 'etl' }])
    await new Worker(app, { once: true, log: () => {} }).run()
    expect((await t.sql('SELECT result FROM procrastinate_jobs WHERE id = $1', [ids.reported]))[0]!.result).toEqual({ report: '20 rows' })
    await app.close()
  })

  it('check their input and their steps\' arguments, deferring nothing when refused', async () => {
    const { app, etl, download } = etlApp()
    await expect(etl.defer({ url: 'nope' })).rejects.toMatchObject({ code: 'invalid_args', message: expect.stringMatching(/^workflow etl: invalid arguments: url: /) })
    const broken = app.workflow('broken', {}, (w) => {
      const a = w.step('a', download, { url: 'https://example.com' })
      w.step('a', download, { url: 'https://example.com' })
      return { a }
    })
    await expect(broken.defer({})).rejects.toMatchObject({ code: 'duplicate_key' })
    expect(await t.sql('SELECT id FROM procrastinate_jobs')).toEqual([])
    await app.close()
  })

  it('do not compile with a wrong or missing parent, or wrong arguments', () => {
    const { app, download, process, report, notify } = etlApp()
    app.workflow('typed', {}, (w) => {
      const d = w.step('d', download, { url: 'https://example.com' })
      const p = w.step('p', process, {}, { after: { download: d } })
      // @ts-expect-error process declared its parent `download`: after is required
      w.step('p2', process, {})
      // @ts-expect-error a process step is not a download step
      w.step('p3', process, {}, { after: { download: p } })
      // @ts-expect-error the key is the declared one, `process`
      w.step('r', report, {}, { after: { processed: p } })
      // @ts-expect-error download takes a url
      w.step('d2', download, { link: 'x' })
      // @ts-expect-error notify takes a channel
      w.step('n', notify, {}, { after: [p] })
      w.step('n2', notify, { channel: 'x' }, { after: [p], dependsOn: [1] })
      w.step('n3', notify, { channel: 'x' }, { after: [p], runWhen: 'all_succeeded' })
      // @ts-expect-error runWhen is all_finished, all_succeeded or any_failed
      w.step('n4', notify, { channel: 'x' }, { after: [p], runWhen: 'sometimes' })
    })
  })

  describe('map steps', () => {
    function filesApp() {
      const app = createApp({ databaseUrl: t.url })
      const list = app.task('list_files', {}, async ({ count, fail }: { count: number; fail?: boolean }) => {
        if (fail) throw new Error('the listing failed')
        return { files: Array.from({ length: count }, (_, i) => `f${i}`) }
      })
      const processFile = app.task('process_file', {}, async ({ file }: { file: string }) => ({ size: file.length * 10 }))
      const join = app.task('join', { parents: { processed: [processFile] } }, async (_args, ctx) => {
        const { processed } = await ctx.parents()
        expectTypeOf(processed).toEqualTypeOf<Array<Parent<{ size: number }>>>()
        return processed.map((parent) => (parent.status === 'succeeded' ? parent.result.size : -1))
      })
      const files = app.workflow('files', { input: z.object({ count: z.number(), fail: z.boolean().optional() }) }, (w, input) => {
        const listed = w.step('list', list, { count: input.count, fail: input.fail })
        const processed = w.map('process', processFile, { over: listed, items: (result) => result.files.map((file) => ({ file })) })
        const joined = w.step('join', join, {}, { after: { processed } })
        w.step('after_map', list, { count: 0 }, { after: processed }) // a map step given as the whole list
        return { listed, processed, joined }
      })
      app.workflow('wrong', {}, (w) => {
        const listed = w.step('list', list, { count: 1 })
        w.map('process', processFile, {
          over: listed,
          // @ts-expect-error the items are the mapped task's arguments: { file }, not strings
          items: (result) => result.files,
        })
      })
      return { app, files }
    }
    const statuses = async () =>
      Object.fromEntries((await t.sql<{ step_key: string; status: string }>('SELECT step_key, status FROM procrastinate_jobs ORDER BY id')).map((job) => [job.step_key, job.status]))

    it('run one job per item of the result, and the steps after wait for them all and read their results in item order', async () => {
      const { app, files } = filesApp()
      const ids = await files.defer({ count: 37 })
      await new Worker(app, { once: true, concurrency: 8, log: () => {} }).run()
      const items = await t.sql<{ step_key: string; args: { file: string }; parents: string[] }>(
        `SELECT job.step_key, job.args, ARRAY(SELECT edge.depends_on_job_id FROM procrastinate_job_dependencies AS edge WHERE edge.job_id = job.id) AS parents
         FROM procrastinate_jobs AS job WHERE job.task_name = 'process_file' ORDER BY job.id`,
      )
      expect(items.map((item) => [item.step_key, item.args.file, item.parents.map(Number)])).toEqual(
        Array.from({ length: 37 }, (_, i) => [`process[${i}]`, `f${i}`, [ids.processed]]),
      )
      const [joined] = await t.sql('SELECT result FROM procrastinate_jobs WHERE id = $1', [ids.joined])
      expect(joined!.result).toEqual(Array.from({ length: 37 }, (_, i) => (i < 10 ? 20 : 30)))
      expect((await t.sql('SELECT result FROM procrastinate_jobs WHERE id = $1', [ids.processed]))[0]!.result).toEqual({ items: 37 })
      const [afterMap] = await t.sql(`SELECT count(*)::int AS parents FROM procrastinate_job_dependencies WHERE job_id = (SELECT id FROM procrastinate_jobs WHERE step_key = 'after_map')`)
      expect(afterMap!.parents).toBe(38) // the map step and its 37 items
      // The join started after every item ended.
      const [order] = await t.sql(
        `SELECT (SELECT max(at) FROM procrastinate_events WHERE type = 'succeeded' AND job_id IN (SELECT id FROM procrastinate_jobs WHERE task_name = 'process_file'))
                < (SELECT min(at) FROM procrastinate_events WHERE type = 'started' AND job_id = $1) AS after`,
        [ids.joined],
      )
      expect(order!.after).toBe(true)
      await app.close()
    })

    it('run again with its downstream: its old items are deleted, and its new run spawns them afresh', async () => {
      const { app, files } = filesApp()
      const ids = await files.defer({ count: 5 })
      await new Worker(app, { once: true, log: () => {} }).run()
      const before = (await t.sql('SELECT id FROM procrastinate_jobs WHERE task_name = $1 ORDER BY id', ['process_file'])).map((job) => Number(job.id))
      const preview = await app.jobs.retryPreview(ids.processed, { downstream: true })
      expect(preview.map((target) => target.id)).toEqual([ids.processed, ids.joined, ids.joined + 1]) // join and after_map; not the items: they are spawned afresh
      await app.jobs.retry(ids.processed, { downstream: true })
      expect(await t.sql('SELECT id FROM procrastinate_jobs WHERE id = ANY ($1)', [before])).toEqual([])
      await new Worker(app, { once: true, log: () => {} }).run()
      const after = await t.sql<{ id: string; status: string }>('SELECT id, status FROM procrastinate_jobs WHERE task_name = $1 ORDER BY id', ['process_file'])
      expect(after.map((job) => job.status)).toEqual(Array(5).fill('succeeded'))
      expect(Number(after[0]!.id)).toBeGreaterThan(before.at(-1)!)
      expect(await statuses()).toMatchObject({ list: 'succeeded', process: 'succeeded', join: 'succeeded' })
      await app.close()
    })

    it('with no items, is done at once; when the step it maps over fails, is cancelled by its rule (all_succeeded)', async () => {
      const { app, files } = filesApp()
      await files.defer({ count: 0 })
      await new Worker(app, { once: true, log: () => {} }).run()
      expect(await statuses()).toEqual({ list: 'succeeded', process: 'succeeded', join: 'succeeded', after_map: 'succeeded' })
      await t.sql('DELETE FROM procrastinate_jobs')
      const ids = await files.defer({ count: 3, fail: true })
      await new Worker(app, { once: true, log: () => {} }).run()
      expect(await statuses()).toEqual({ list: 'failed', process: 'cancelled', join: 'succeeded', after_map: 'succeeded' })
      expect((await t.sql('SELECT result FROM procrastinate_jobs WHERE id = $1', [ids.joined]))[0]!.result).toEqual([])
      await app.close()
    })
  })
})
