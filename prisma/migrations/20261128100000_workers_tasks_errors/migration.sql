-- What Mañana's workers add: who they are, the tasks they announce (the console's defer form
-- offers them), and each failed attempt's error. Additive only.
--
-- Error codes added here (see the head of the init migration): none.

ALTER TABLE procrastinate_workers
    ADD COLUMN name text,
    ADD COLUMN host text,
    ADD COLUMN pid integer,
    ADD COLUMN queues character varying[],  -- NULL: all queues
    ADD COLUMN concurrency integer,
    ADD COLUMN started_at timestamp with time zone NOT NULL DEFAULT now();

CREATE TABLE manana_tasks (
    name character varying(128) PRIMARY KEY,
    queue_name character varying(128) NOT NULL,
    priority integer NOT NULL DEFAULT 0,
    retry jsonb,              -- the retry strategy, or NULL for none
    timeout_seconds double precision,
    args_schema jsonb,        -- a JSON Schema of the arguments, when the task declares one
    announced_at timestamp with time zone NOT NULL DEFAULT now()
);

CREATE TABLE manana_job_errors (
    job_id bigint NOT NULL REFERENCES procrastinate_jobs (id) ON DELETE CASCADE,
    attempt integer NOT NULL,   -- 1 for the first run
    at timestamp with time zone NOT NULL DEFAULT now(),
    worker_id bigint,
    message text NOT NULL,
    stack text,
    PRIMARY KEY (job_id, attempt)
);

-- Doing jobs without a worker (theirs was pruned): what stalled-job recovery looks for every
-- heartbeat, found without scanning the table.
CREATE INDEX manana_jobs_orphaned_idx ON procrastinate_jobs (id) WHERE status = 'doing' AND worker_id IS NULL;

-- Registers a worker and the tasks it can run; returns its id.
CREATE FUNCTION manana_register_worker(
    p_name text, p_host text, p_pid integer, p_queues character varying[], p_concurrency integer, p_tasks jsonb
) RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    new_id bigint;
BEGIN
    SELECT worker_id INTO new_id FROM procrastinate_register_worker_v1();
    UPDATE procrastinate_workers
    SET name = p_name, host = p_host, pid = p_pid, queues = p_queues, concurrency = p_concurrency
    WHERE id = new_id;
    INSERT INTO manana_tasks (name, queue_name, priority, retry, timeout_seconds, args_schema, announced_at)
    SELECT task->>'name', task->>'queue_name', coalesce((task->>'priority')::integer, 0), task->'retry',
           (task->>'timeout_seconds')::double precision, task->'args_schema', now()
    FROM jsonb_array_elements(coalesce(p_tasks, '[]')) AS task
    ON CONFLICT (name) DO UPDATE
    SET queue_name = excluded.queue_name, priority = excluded.priority, retry = excluded.retry,
        timeout_seconds = excluded.timeout_seconds, args_schema = excluded.args_schema,
        announced_at = excluded.announced_at;
    RETURN new_id;
END;
$$;

-- Ends the attempt a worker was running. Returns false, changing nothing, when the job is no
-- longer doing on that worker (its heartbeat was lost and another worker recovered the job).
--   succeeded / aborted: the job ends so, with its result;
--   failed: the error is kept for this attempt, then the job is retried after retry_in
--           seconds, or fails when retry_in is NULL;
--   released: back to todo without counting an attempt (the worker is shutting down).
-- p_worker_id NULL ends an orphaned job (doing with no worker), as stalled-job recovery does.
CREATE FUNCTION manana_end_attempt(
    p_job_id bigint, p_worker_id bigint, outcome text, job_result jsonb, error jsonb, retry_in double precision
) RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    job procrastinate_jobs;
BEGIN
    SELECT * INTO job FROM procrastinate_jobs
    WHERE id = p_job_id AND status = 'doing' AND worker_id IS NOT DISTINCT FROM p_worker_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF error IS NOT NULL THEN
        INSERT INTO manana_job_errors (job_id, attempt, worker_id, message, stack)
        VALUES (p_job_id, job.attempts + 1, p_worker_id, coalesce(error->>'message', 'error'), error->>'stack')
        ON CONFLICT (job_id, attempt) DO UPDATE
        SET at = now(), worker_id = excluded.worker_id, message = excluded.message, stack = excluded.stack;
    END IF;
    CASE outcome
        WHEN 'succeeded', 'aborted' THEN
            PERFORM manana_finish_job(p_job_id, outcome::procrastinate_job_status, job_result, false);
        WHEN 'failed' THEN
            IF retry_in IS NULL THEN
                PERFORM manana_finish_job(p_job_id, 'failed', NULL, false);
            ELSE
                PERFORM procrastinate_retry_job_v2(p_job_id, now() + make_interval(secs => retry_in), NULL, NULL, NULL);
            END IF;
        WHEN 'released' THEN
            UPDATE procrastinate_jobs SET status = 'todo', worker_id = NULL, abort_requested = false WHERE id = p_job_id;
        ELSE
            RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = format(
                'an attempt ends as succeeded, failed, aborted or released, not %s', outcome);
    END CASE;
    RETURN true;
END;
$$;

-- Jobs left doing by a worker that died: its heartbeat is older than stale_seconds, so it is
-- pruned (its jobs lose their worker_id), and every doing job without a worker that started
-- longer ago than that is returned, locked for the caller's transaction, which ends each
-- attempt with manana_end_attempt(id, NULL, 'failed', …) as the task's retry strategy says.
CREATE FUNCTION manana_claim_stalled_jobs(stale_seconds double precision)
    RETURNS SETOF procrastinate_jobs
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM procrastinate_prune_stalled_workers_v1(stale_seconds);
    RETURN QUERY
    SELECT job.* FROM procrastinate_jobs AS job
    WHERE job.status = 'doing' AND job.worker_id IS NULL
      AND NOT EXISTS (
          SELECT 1 FROM procrastinate_events AS event
          WHERE event.job_id = job.id AND event.type = 'started'
            AND event.at > now() - make_interval(secs => stale_seconds))
    ORDER BY job.id
    FOR UPDATE OF job SKIP LOCKED;
END;
$$;
