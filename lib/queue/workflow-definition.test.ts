// Workflows as definitions: composed from typed steps, checked by the compiler (a step's `after`
// must give its task the parents it declared), deferred atomically under their name with their
// input checked, and run as any workflow.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { useTestDatabase } from '../../test/database.ts'
import { Worker } from '../../worker/worker.ts'
import { createApp } from './app.ts'

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
})
