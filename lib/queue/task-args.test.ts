// Tasks that declare their arguments with a Standard Schema validator (zod here): checked when
// deferred (invalid_args naming the field, nothing deferred), stored as the validator makes
// them, checked again before the task runs (jobs deferred by name elsewhere), their JSON Schema
// announced; and typed: deferred with the validator's input, run with its output.
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { useTestDatabase } from '../../test/database.ts'
import { Worker } from '../../worker/worker.ts'
import { createApp } from './app.ts'
import { deferJobs } from './defer.ts'
import { validateArgs } from './standard-schema.ts'

const t = useTestDatabase()
const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()))
})

const downloadArgs = z.object({
  url: z.url(),
  retries: z.number().int().min(0).default(2),
  headers: z.array(z.object({ name: z.string().min(1), value: z.string() })).optional(),
})

function pipeline() {
  const app = createApp({ databaseUrl: t.url })
  const download = app.task('download', { args: downloadArgs }, async ({ url, retries }) => ({ url, retries, bytes: 42 }))
  return { app, download }
}

describe('tasks with an argument schema', () => {
  it('refuse arguments the schema refuses, naming the field, and defer nothing', async () => {
    const { app, download } = pipeline()
    await expect(download.defer({ url: 'not a url' })).rejects.toMatchObject({ code: 'invalid_args', message: expect.stringMatching(/^task download: invalid arguments: url: /) })
    await expect(app.defer([{ task: 'download', args: { url: 'https://example.com', headers: [{ name: '', value: 'x' }] } }]))
      .rejects.toMatchObject({ code: 'invalid_args', message: expect.stringContaining('headers[0].name: ') })
    // All or nothing: a workflow with one bad job defers none.
    await expect(app.deferWorkflow({ a: { task: 'download', args: { url: 'https://example.com/a' } }, b: { task: 'download', args: { url: 42 }, dependsOn: ['a'] } }))
      .rejects.toMatchObject({ code: 'invalid_args' })
    expect(await t.sql('SELECT id FROM procrastinate_jobs')).toEqual([])
    await app.close()
  })

  it('store what the schema makes of them, and run with it', async () => {
    const { app, download } = pipeline()
    const id = await download.defer({ url: 'https://example.com/data.csv' })
    expect((await t.sql('SELECT args FROM procrastinate_jobs WHERE id = $1', [id]))[0]!.args).toEqual({ url: 'https://example.com/data.csv', retries: 2 })
    const worker = new Worker(app, { once: true, log: () => {} })
    await worker.run()
    expect((await t.sql('SELECT status, result FROM procrastinate_jobs WHERE id = $1', [id]))[0]).toEqual({
      status: 'succeeded',
      result: { url: 'https://example.com/data.csv', retries: 2, bytes: 42 },
    })
    await app.close()
  })

  it('are checked again before they run: a job deferred by name with bad arguments fails, without retries', async () => {
    const app = createApp({ databaseUrl: t.url })
    let ran = false
    app.task('download', { args: downloadArgs, retry: 5 }, async () => {
      ran = true
    })
    const [id] = await deferJobs(t.db, [{ task: 'download', args: { url: 'nope' } }])
    await new Worker(app, { once: true, log: () => {} }).run()
    expect(ran).toBe(false)
    expect((await t.sql('SELECT status FROM procrastinate_jobs WHERE id = $1', [id]))[0]!.status).toBe('failed')
    expect((await t.sql('SELECT message FROM manana_job_errors WHERE job_id = $1', [id]))[0]!.message).toMatch(/^task download: invalid arguments: url: /)
    await app.close()
  })

  it('announce their JSON Schema for the console', async () => {
    const { app } = pipeline()
    const worker = new Worker(app, { once: true, log: () => {} })
    await worker.run()
    const [task] = await t.sql<{ args_schema: { type: string; properties: Record<string, unknown>; required: string[] } }>(`SELECT args_schema FROM manana_tasks WHERE name = 'download'`)
    expect(task!.args_schema).toMatchObject({ type: 'object', required: ['url'] })
    expect(Object.keys(task!.args_schema.properties).sort()).toEqual(['headers', 'retries', 'url'])
    await app.close()
  })

  it('are typed: deferred with the schema\'s input, run with its output, results inferred', () => {
    const app = createApp({ databaseUrl: t.url })
    const download = app.task('download', { args: downloadArgs }, async (args) => {
      expectTypeOf(args.retries).toEqualTypeOf<number>() // the default filled in
      return { bytes: 1 }
    })
    expectTypeOf(download.defer).parameter(0).toEqualTypeOf<z.input<typeof downloadArgs>>()
    expectTypeOf(download.handler).returns.resolves.toEqualTypeOf<{ bytes: number }>()
    // @ts-expect-error a url is required
    void (() => download.defer({ retries: 1 }))
    // @ts-expect-error retries is a number
    void (() => download.defer({ url: 'https://example.com', retries: '1' }))
  })

  it('name the path of each issue', async () => {
    const schema = z.object({ items: z.array(z.object({ qty: z.number() })) })
    await expect(validateArgs(schema, { items: [{ qty: 1 }, { qty: 'x' }] }, 'order')).rejects.toMatchObject({ message: expect.stringContaining('items[1].qty: ') })
    await expect(validateArgs(schema, 'nope', 'order')).rejects.toMatchObject({ code: 'invalid_args' })
  })
})
