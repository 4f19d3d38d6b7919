// A job's run span with what the database kept for it: the context of the span that deferred it
// and its parents' latest runs (lib/observe/tracing.ts); the run's own context is kept in turn.
import type { Tracer } from '@opentelemetry/api'
import { startRunSpan, type RunSpan, type TracedJob } from '../lib/observe/tracing.ts'
import type { Queryable } from '../lib/queue/queryable.ts'

export interface TracedRun {
  span: RunSpan
  /** Settles once the run's context is kept (never rejects): a child becomes ready only after its end is recorded, so wait for this first. */
  stored: Promise<void>
}

/** Starts the run's span; `failedToStore` hears when its context could not be kept (the run goes on; its children's runs will not link to it). */
export async function startTracedRun(tracer: Tracer, db: Queryable, job: TracedJob, attempt: number, failedToStore: (error: unknown) => void): Promise<TracedRun> {
  const [row] = await db.query<{ defer_trace: string | null; parent_runs: string[] }>(
    `SELECT (SELECT defer_trace FROM manana_job_traces WHERE job_id = $1) AS defer_trace,
            ARRAY(SELECT trace.run_trace FROM procrastinate_job_dependencies AS edge
                  JOIN manana_job_traces AS trace ON trace.job_id = edge.depends_on_job_id
                  WHERE edge.job_id = $1 AND trace.run_trace IS NOT NULL ORDER BY edge.depends_on_job_id) AS parent_runs`,
    [job.id],
  )
  const span = startRunSpan(tracer, job, attempt, { deferTrace: row?.defer_trace ?? null, parentRuns: row?.parent_runs ?? [] })
  const stored = db
    .query(
      `INSERT INTO manana_job_traces (job_id, run_trace) VALUES ($1, $2)
       ON CONFLICT (job_id) DO UPDATE SET run_trace = excluded.run_trace`,
      [job.id, span.traceParent],
    )
    .then(() => undefined, failedToStore)
  return { span, stored }
}
