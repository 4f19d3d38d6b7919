-- OpenTelemetry trace context kept with jobs, so that a job's run joins the trace that deferred
-- it and a child's run links to its parents' runs, across processes. Written only by a process
-- with a tracer provider registered (none: no row, no cost); Python workers neither read nor
-- write it. A job's row goes with the job.
--
-- Both contexts are W3C traceparent strings (00-<trace id>-<span id>-<flags>):
-- defer_trace: the span that deferred the job (the run is its child);
-- run_trace: the span of the job's latest attempt (its children's runs link to it).
--
-- Error codes added here: none.

CREATE TABLE manana_job_traces (
    job_id bigint PRIMARY KEY REFERENCES procrastinate_jobs (id) ON DELETE CASCADE,
    defer_trace text,
    run_trace text
);
