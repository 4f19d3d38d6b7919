-- Ending many attempts in one call. A busy worker sends every attempt that ended while its last
-- call was on the wire, so one transaction (one commit, one WAL flush) carries a batch, and the
-- attempts that succeeded (nearly all of them) are finished by one statement.

-- Finishing jobs, set-based: the one rule for it, which manana_finish_job (one job) now calls.
-- Returns the jobs finished (todo or doing ones; others are left alone).
CREATE FUNCTION manana_finish_jobs(job_ids bigint[], end_status procrastinate_job_status, job_results jsonb[], delete_jobs boolean)
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
    WITH done AS (
        UPDATE procrastinate_jobs AS job
        SET status = end_status,
            result = given.result,
            abort_requested = false,
            worker_id = NULL,
            attempts = CASE job.status WHEN 'doing' THEN job.attempts + 1 ELSE job.attempts END
        FROM unnest(job_ids, job_results) AS given (id, result)
        WHERE job.id = given.id AND job.status IN ('todo', 'doing')
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

CREATE OR REPLACE FUNCTION manana_finish_job(p_job_id bigint, end_status procrastinate_job_status, job_result jsonb, delete_job boolean)
    RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM manana_finish_jobs(ARRAY[p_job_id], end_status, ARRAY[job_result], delete_job)) THEN
        PERFORM manana_raise_job_status(p_job_id, 'MN009', 'only todo or doing jobs can be finished');
    END IF;
END;
$$;

-- outcomes: [{ "id", "worker_id", "outcome", "result"?, "error"?, "retry_in"? }, ...], the
-- arguments of manana_end_attempt by name. Returns, for each, whether it ended (false: the job
-- was no longer doing for that worker, e.g. recovered as stalled).
CREATE FUNCTION manana_end_attempts(outcomes jsonb)
    RETURNS TABLE (job_id bigint, ended boolean)
    LANGUAGE plpgsql
AS $$
DECLARE
    item jsonb;
    succeeded_ids bigint[];
    succeeded_results jsonb[];
    finished bigint[];
BEGIN
    IF jsonb_typeof(outcomes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = 'manana_end_attempts takes a JSON array of outcomes';
    END IF;
    -- Successes together: those still doing for their worker, locked in id order, finished at once.
    SELECT array_agg(ours.id ORDER BY ours.id), array_agg(ours.result ORDER BY ours.id)
    INTO succeeded_ids, succeeded_results
    FROM (
        SELECT job.id, given.value->'result' AS result
        FROM jsonb_array_elements(outcomes) AS given
        JOIN procrastinate_jobs AS job ON job.id = (given.value->>'id')::bigint
        WHERE given.value->>'outcome' = 'succeeded'
          AND job.status = 'doing' AND job.worker_id IS NOT DISTINCT FROM (given.value->>'worker_id')::bigint
        ORDER BY job.id
        FOR UPDATE OF job
    ) AS ours;
    SELECT array_agg(id) INTO finished FROM manana_finish_jobs(succeeded_ids, 'succeeded', succeeded_results, false) AS id;
    RETURN QUERY
    SELECT (given.value->>'id')::bigint, (given.value->>'id')::bigint = ANY (coalesce(finished, '{}'))
    FROM jsonb_array_elements(outcomes) AS given
    WHERE given.value->>'outcome' = 'succeeded';
    -- Every other outcome (failures with their errors and retries, aborts, releases), one by one.
    FOR item IN
        SELECT value FROM jsonb_array_elements(outcomes)
        WHERE value->>'outcome' IS DISTINCT FROM 'succeeded'
        ORDER BY (value->>'id')::bigint
    LOOP
        job_id := (item->>'id')::bigint;
        ended := manana_end_attempt(
            job_id,
            (item->>'worker_id')::bigint,
            item->>'outcome',
            item->'result',
            item->'error',
            (item->>'retry_in')::double precision);
        RETURN NEXT;
    END LOOP;
END;
$$;
