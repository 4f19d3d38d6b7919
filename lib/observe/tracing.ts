// OpenTelemetry spans for deferring and running jobs, when the application registered a tracer
// provider (@opentelemetry/api's global one); without one, nothing here runs beyond asking
// whether there is one. A job keeps the trace context of the span that deferred it and of its
// latest run (table manana_job_traces, as W3C traceparent strings): its run is a child of the
// deferral, in the same trace, whichever process runs it, and a child job's run links to its
// parents' runs.
import {
  ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, context, isSpanContextValid, trace,
  type Attributes, type Link, type Span, type SpanContext, type Tracer,
} from '@opentelemetry/api'
import type { JobToDefer } from '../queue/defer.ts'
import type { Job } from '../queue/job.ts'
import type { Queryable } from '../queue/queryable.ts'

const tracerName = 'manana'

/** The tracer of the registered provider, or undefined when none is registered. */
export function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider()
  return provider instanceof ProxyTracerProvider ? provider.getDelegateTracer(tracerName) : provider.getTracer(tracerName)
}

/** A span's context as a W3C traceparent. */
export function traceParentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext()
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`
}

/** The span context a W3C traceparent names, or undefined for anything else. */
export function spanContextOf(traceParent: string | null | undefined): SpanContext | undefined {
  const parts = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceParent ?? '')
  if (!parts) return undefined
  const spanContext = { traceId: parts[1]!, spanId: parts[2]!, traceFlags: parseInt(parts[3]!, 16), isRemote: true }
  return isSpanContextValid(spanContext) ? spanContext : undefined
}

/** Ends a span with the outcome of what it covered. */
function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error))
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
  }
  span.end()
}

/**
 * Runs `defer` (given the traceparent its jobs should keep, or nothing when no provider is
 * registered) inside a `defer` span, a child of the caller's active span.
 */
export async function traceDefer<T>(jobs: readonly JobToDefer[], defer: (traceParent?: string) => Promise<T>): Promise<T> {
  const tracer = activeTracer()
  if (!tracer) return defer()
  const tasks = [...new Set(jobs.map((job) => job.task))]
  const attributes: Attributes = {
    'messaging.system': 'manana',
    'messaging.operation.type': 'send',
    'messaging.batch.message_count': jobs.length,
    'manana.tasks': tasks,
  }
  return tracer.startActiveSpan(`defer ${tasks.length === 1 ? tasks[0] : `${jobs.length} jobs`}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
    try {
      const deferred = await defer(traceParentOf(span))
      endSpan(span)
      return deferred
    } catch (error) {
      endSpan(span, error)
      throw error
    }
  })
}

/** An attempt's span while its task runs; `stored` settles once its context is kept for the job's children. */
export interface RunSpan {
  /** Runs the task with the span active: the spans it makes are the run's children. */
  within<T>(task: () => T): T
  /** Kept with the job before its end is recorded: a child becomes ready only after. */
  stored: Promise<void>
  end(outcome: string, error?: unknown): void
}

/**
 * Starts the span of a job's attempt: a child of the span that deferred it, linked to its
 * parents' latest runs. `failedToStore` hears
 * when the span's context could not be kept (the run goes on; its children will not link to it).
 */
export async function startRunSpan(tracer: Tracer, db: Queryable, job: Job, attempt: number, failedToStore: (error: unknown) => void): Promise<RunSpan> {
  const [row] = await db.query<{ defer_trace: string | null; parent_runs: string[] }>(
    `SELECT (SELECT defer_trace FROM manana_job_traces WHERE job_id = $1) AS defer_trace,
            ARRAY(SELECT trace.run_trace FROM procrastinate_job_dependencies AS edge
                  JOIN manana_job_traces AS trace ON trace.job_id = edge.depends_on_job_id
                  WHERE edge.job_id = $1 AND trace.run_trace IS NOT NULL ORDER BY edge.depends_on_job_id) AS parent_runs`,
    [job.id],
  )
  const deferral = spanContextOf(row?.defer_trace)
  const parent = deferral ? trace.setSpanContext(ROOT_CONTEXT, deferral) : ROOT_CONTEXT
  const links: Link[] = (row?.parent_runs ?? []).flatMap((text) => {
    const linked = spanContextOf(text)
    return linked ? [{ context: linked, attributes: { 'manana.link': 'parent_run' } }] : []
  })
  const span = tracer.startSpan(`run ${job.task}`, {
    kind: SpanKind.CONSUMER,
    links,
    attributes: {
      'messaging.system': 'manana',
      'messaging.operation.type': 'process',
      'messaging.destination.name': job.queue,
      'messaging.message.id': String(job.id),
      'manana.job.id': job.id,
      'manana.job.task': job.task,
      'manana.job.attempt': attempt,
      ...(job.workflowId !== null && { 'manana.workflow.id': job.workflowId }),
    },
  }, parent)
  const stored = db
    .query(
      `INSERT INTO manana_job_traces (job_id, run_trace) VALUES ($1, $2)
       ON CONFLICT (job_id) DO UPDATE SET run_trace = excluded.run_trace`,
      [job.id, traceParentOf(span)],
    )
    .then(() => undefined, failedToStore)
  return {
    within: (task) => context.with(trace.setSpan(parent, span), task),
    stored,
    end(outcome, error) {
      span.setAttribute('manana.job.outcome', outcome)
      endSpan(span, error)
    },
  }
}
