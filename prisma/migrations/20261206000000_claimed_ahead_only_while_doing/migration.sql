-- A job is marked claimed_ahead only while it is doing: every way out of doing clears the mark
-- (an end that carried its start with it left it set on the finished job).
UPDATE procrastinate_jobs SET claimed_ahead = false WHERE claimed_ahead AND status <> 'doing';

CREATE OR REPLACE FUNCTION manana_finish_jobs(job_ids bigint[], end_status procrastinate_job_status, job_results jsonb[], delete_jobs boolean)
    RETURNS SETOF bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    finished bigint[];
BEGIN
    IF end_status IS NULL OR end_status NOT IN ('succeeded', 'failed', 'aborted') THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009',
            MESSAGE = format('a job ends as succeeded, failed or aborted, not %s (jobs %s)', end_status, job_ids);
    END IF;
    IF coalesce(cardinality(job_ids), 0) = 0 THEN
        RETURN;
    END IF;
    WITH done AS (
        UPDATE procrastinate_jobs AS job
        SET status = end_status,
            result = job_results[array_position(job_ids, job.id)],
            abort_requested = false,
            claimed_ahead = false,
            worker_id = NULL,
            attempts = CASE job.status WHEN 'doing' THEN job.attempts + 1 ELSE job.attempts END
        WHERE job.id = ANY (job_ids) AND job.status IN ('todo', 'doing')
        RETURNING job.id
    )
    SELECT array_agg(id) INTO finished FROM done;
    IF delete_jobs AND finished IS NOT NULL THEN
        -- Kept (with their status) by manana_keep_needed_parents while a child still needs them.
        DELETE FROM procrastinate_jobs WHERE id = ANY (finished);
    END IF;
    RETURN QUERY SELECT unnest(finished);
END;
$$;

CREATE OR REPLACE FUNCTION manana_end_attempt(
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
    IF job.claimed_ahead THEN
        UPDATE procrastinate_jobs SET claimed_ahead = false WHERE id = p_job_id;
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
