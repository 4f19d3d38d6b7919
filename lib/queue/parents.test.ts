// Declared parents: ctx.parents() gives each key's parent (or parents) with its status and its
// result typed as its task's; a failed parent is there with a null result; a job whose parents
// are not what its task declared fails with parents_mismatch.
import { describe, expect, expectTypeOf, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { Worker } from '../../worker/worker.ts'
import { createApp } from './app.ts'
import type { Parent } from './parents.ts'

const t = useTestDatabase()

const run = async (app: ReturnType<typeof createApp>) => {
  await new Worker(app, { once: true, log: () => {} }).run()
}

describe('declared parents', () => {
  it('are given by key, typed, with statuses and results; several of one task as a list', async () => {
    const app = createApp({ databaseUrl: t.url })
    const download = app.task('download', {}, async ({ url }: { url: string }) => {
      if (url.endsWith('bad')) throw new Error('404')
      return { url, rows: url.length }
    })
    const process = app.task('process', { parents: { downloads: [download] } }, async (_args, ctx) => {
      const { downloads } = await ctx.parents()
      expectTypeOf(downloads).toEqualTypeOf<Array<Parent<{ url: string; rows: number }>>>()
      return { rows: downloads.reduce((sum, parent) => sum + (parent.status === 'succeeded' ? parent.result.rows : 0), 0), failed: downloads.filter((parent) => parent.status !== 'succeeded').length }
    })
    const seen: unknown[] = []
    app.task('report', { parents: { process } }, async (_args, ctx) => {
      const parents = await ctx.parents()
      if (parents.process.status === 'succeeded') expectTypeOf(parents.process.result).toEqualTypeOf<{ rows: number; failed: number }>()
      // @ts-expect-error only declared keys
      void parents.download
      seen.push(parents)
    })
    const ids = await app.deferWorkflow({
      a: { task: 'download', args: { url: 'https://example.com/a' } },
      b: { task: 'download', args: { url: 'https://example.com/bad' } },
      c: { task: 'download', args: { url: 'https://example.com/cc' } },
      process: { task: 'process', dependsOn: ['a', 'b', 'c'] },
      report: { task: 'report', dependsOn: ['process'] },
    })
    await run(app)
    expect((await t.sql('SELECT result FROM procrastinate_jobs WHERE id = $1', [ids.process]))[0]!.result).toEqual({ rows: 43, failed: 1 })
    expect(seen).toEqual([{ process: { id: ids.process, status: 'succeeded', result: { rows: 43, failed: 1 } } }])
    await app.close()
  })

  it('that are missing or not alone fail the job with parents_mismatch', async () => {
    const app = createApp({ databaseUrl: t.url })
    const make = app.task('make', {}, async () => 1)
    app.task('use', { parents: { made: make } }, async (_args, ctx) => (await ctx.parents()).made.result)
    const ids = await app.deferWorkflow({
      one: { task: 'make' },
      two: { task: 'make' },
      use: { task: 'use', dependsOn: ['one', 'two'] },
      alone: { task: 'use', dependsOn: ['one'] },
    })
    const [orphan] = await app.defer([{ task: 'use' }])
    await run(app)
    const errors = await t.sql<{ job_id: string; message: string }>('SELECT job_id, message FROM manana_job_errors ORDER BY job_id')
    expect(errors.map((error) => [Number(error.job_id), error.message])).toEqual([
      [ids.use, `job ${ids.use}: parent "made" runs task make, and 2 of its parents do (one was declared)`],
      [orphan, `job ${orphan}: parent "made" runs task make, and 0 of its parents do (one was declared)`],
    ])
    expect((await t.sql('SELECT result FROM procrastinate_jobs WHERE id = $1', [ids.alone]))[0]!.result).toBe(1)
    await app.close()
  })
})
