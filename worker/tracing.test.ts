// OpenTelemetry: with a tracer provider registered, deferring makes a producer span whose
// context each job keeps; each attempt's run span is its child (same trace, whichever process
// runs it), links to its parents' runs, and is the parent of what the task traces. Without a
// provider, nothing is kept.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { runManana } from '../test/processes.ts'
import { createApp } from '../lib/queue/app.ts'
import { Worker } from './worker.ts'

const t = useTestDatabase()

function runAll(app: ReturnType<typeof createApp>): Promise<void> {
  return new Worker(app, { once: true, pollInterval: 0.2, logger: () => {} }).run()
}

describe('traces', () => {
  const exporter = new InMemorySpanExporter()
  const contextManager = new AsyncLocalStorageContextManager().enable()
  let registered = false
  const registerProvider = () => {
    if (registered) return
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
    context.setGlobalContextManager(contextManager)
    registered = true
  }
  afterAll(() => {
    trace.disable()
    context.disable()
  })

  it('are not kept without a tracer provider', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('a', {}, async () => null)
    const ids = await app.deferWorkflow({ a: { task: 'a' }, b: { task: 'a', dependsOn: ['a'] } })
    await runAll(app)
    expect(await t.sql('SELECT status FROM procrastinate_jobs WHERE id = ANY ($1)', [Object.values(ids)])).toEqual([{ status: 'succeeded' }, { status: 'succeeded' }])
    expect(await t.sql('SELECT * FROM manana_job_traces')).toEqual([])
    await app.close()
  })

  it('link a deferral to its runs, a child to its parents, and a task\'s own spans to its run', async () => {
    registerProvider()
    const app = createApp({ databaseUrl: t.url })
    const tracer = trace.getTracer('test')
    app.task('extract', {}, async () => tracer.startActiveSpan('download', (span) => span.end()))
    app.task('transform', {}, async () => null)
    app.task('load', { retry: 1 }, async (_args, ctx) => {
      if (ctx.attempt === 1) throw new Error('disk full')
    })
    // Deferred inside a request's span, as a service would.
    const ids = await tracer.startActiveSpan('POST /reports', async (request) => {
      try {
        return await app.deferWorkflow({
          extract: { task: 'extract' },
          left: { task: 'transform', dependsOn: ['extract'] },
          right: { task: 'transform', dependsOn: ['extract'] },
          load: { task: 'load', dependsOn: ['left', 'right'] },
        })
      } finally {
        request.end()
      }
    })
    await runAll(app)
    await app.close()

    const spans = exporter.getFinishedSpans()
    const named = (name: string) => spans.filter((span) => span.name === name)
    const [request] = named('POST /reports')
    const [deferral] = named('defer 4 jobs')
    expect(deferral).toMatchObject({ kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'manana', 'messaging.batch.message_count': 4 } })
    expect(deferral!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId)

    const runOf = (id: number, attempt = 1) =>
      spans.find((span) => span.attributes['manana.job.id'] === id && span.attributes['manana.job.attempt'] === attempt)!
    const runs = [runOf(ids.extract), runOf(ids.left), runOf(ids.right), runOf(ids.load), runOf(ids.load, 2)]
    for (const run of runs) {
      expect(run.kind).toBe(SpanKind.CONSUMER)
      expect(run.spanContext().traceId).toBe(request!.spanContext().traceId)
      expect(run.parentSpanContext?.spanId).toBe(deferral!.spanContext().spanId)
    }
    const linked = (run: ReadableSpan) => run.links.map((link) => link.context.spanId).sort()
    expect(linked(runOf(ids.extract))).toEqual([])
    expect(linked(runOf(ids.left))).toEqual([runOf(ids.extract).spanContext().spanId])
    expect(linked(runOf(ids.load))).toEqual([runOf(ids.left).spanContext().spanId, runOf(ids.right).spanContext().spanId].sort())
    expect(runOf(ids.load)).toMatchObject({
      name: 'run load',
      status: { code: SpanStatusCode.ERROR, message: 'disk full' },
      attributes: { 'manana.job.task': 'load', 'manana.job.outcome': 'failed', 'messaging.destination.name': 'default' },
    })
    expect(runOf(ids.load).events.map((event) => event.name)).toEqual(['exception'])
    expect(runOf(ids.load, 2)).toMatchObject({ status: { code: SpanStatusCode.UNSET }, attributes: { 'manana.job.outcome': 'succeeded' } })
    // What the task traced is the run's child.
    expect(named('download')[0]!.parentSpanContext?.spanId).toBe(runOf(ids.extract).spanContext().spanId)

    // Each job keeps its two contexts; deleting a job deletes them.
    expect(await t.sql('SELECT count(*)::int AS n FROM manana_job_traces WHERE defer_trace IS NOT NULL AND run_trace IS NOT NULL')).toEqual([{ n: 4 }])
    await t.sql('DELETE FROM procrastinate_jobs WHERE id = $1', [ids.load])
    expect(await t.sql('SELECT count(*)::int AS n FROM manana_job_traces')).toEqual([{ n: 3 }])
  })

  it("cross processes: a worker process whose app registers a provider runs the jobs as children of this process's deferral", async () => {
    registerProvider()
    const app = createApp({ databaseUrl: t.url })
    const ids = await app.deferWorkflow({ left: { task: 'fetch' }, right: { task: 'fetch' }, join: { task: 'merge', dependsOn: ['left', 'right'] } })
    await app.close()
    const deferral = exporter.getFinishedSpans().at(-1)!
    expect(deferral.name).toBe('defer 3 jobs')

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manana-traces-')), 'spans.jsonl')
    const worker = await runManana(t.url, ['worker', '--app', 'test/apps/traced-app.ts', '--once'], { TRACE_FILE: file })
    expect(worker).toMatchObject({ code: 0 })
    const spans = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    const runOf = (id: number) => spans.find((span) => span.attributes['manana.job.id'] === id)
    for (const id of Object.values(ids)) {
      expect(runOf(id)).toMatchObject({ traceId: deferral.spanContext().traceId, parentSpanId: deferral.spanContext().spanId })
    }
    expect(runOf(ids.join).links.sort()).toEqual([runOf(ids.left).spanId, runOf(ids.right).spanId].sort())
  })
})
