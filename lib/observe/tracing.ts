// OpenTelemetry spans for deferring and running jobs, when the application registered a tracer
// provider (@opentelemetry/api's global one); without one, nothing here runs beyond asking
// whether there is one. A job keeps the trace context of the span that deferred it and of its
// latest run (table manana_job_traces, as W3C traceparent strings; lib/queue/defer.ts and
// worker/run-traces.ts read and write them): its run is a child of the deferral, in the same
// trace, whichever process runs it, and a child job's run links to its parents' runs.
import {
  ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, context, isSpanContextValid, trace,
  type Attributes, type Link, type Span, type SpanContext, type Tracer,
} from '@opentelemetry/api'

/** What a run's span says of its job. */
export interface TracedJob {
  id: number
  task: string
  queue: string
  workflowId: number | null
}

const tracerName = 'manana'

/** The tracer of the registered provider, or undefined when none is registered. */
export function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider()
  return provider instanceof ProxyTracerProvider ? provider.getDelegateTracer(tracerName) : provider.getTracer(tracerName)
}

/** A span's context as a W3C traceparent. */
function traceParentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext()
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`
}

/** The span context a W3C traceparent names, or undefined for anything else. */
function spanContextOf(traceParent: string | null | undefined): SpanContext | undefined {
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
export async function traceDefer<T>(jobs: ReadonlyArray<{ task: string }>, defer: (traceParent?: string) => Promise<T>): Promise<T> {
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

/** An attempt's span while its task runs. */
export interface RunSpan {
  /** Its context as a W3C traceparent, for the job's children's runs to link to. */
  traceParent: string
  /** Runs the task with the span active: the spans it makes are the run's children. */
  within<T>(task: () => T): T
  end(outcome: string, error?: unknown): void
}

/**
 * Starts the span of a job's attempt: a child of the span that deferred it (`deferTrace`, the
 * context the job kept), linked to its parents' latest runs (`parentRuns`).
 */
export function startRunSpan(tracer: Tracer, job: TracedJob, attempt: number, kept: { deferTrace: string | null; parentRuns: string[] }): RunSpan {
  const deferral = spanContextOf(kept.deferTrace)
  const parent = deferral ? trace.setSpanContext(ROOT_CONTEXT, deferral) : ROOT_CONTEXT
  const links: Link[] = kept.parentRuns.flatMap((text) => {
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
  return {
    traceParent: traceParentOf(span),
    within: (task) => context.with(trace.setSpan(parent, span), task),
    end(outcome, error) {
      span.setAttribute('manana.job.outcome', outcome)
      endSpan(span, error)
    },
  }
}
