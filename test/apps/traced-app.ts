// An app as the README says to trace one: the module given to --app registers a tracer provider
// before anything else; its exporter writes each finished span as a JSON line to TRACE_FILE.
import fs from 'node:fs'
import { trace } from '@opentelemetry/api'
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base'
import { createApp } from '../../lib/queue/index.ts'

const file = process.env.TRACE_FILE!
const exporter: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    for (const span of spans) {
      const line = {
        name: span.name,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        links: span.links.map((link) => link.context.spanId),
        attributes: span.attributes,
      }
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`)
    }
    done({ code: 0 })
  },
  shutdown: async () => {},
}
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))

export const app = createApp()
app.task('fetch', {}, async () => 'data')
app.task('merge', {}, async () => 'merged')
