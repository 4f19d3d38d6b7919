-- Ending a batch of attempts deadlocked with another batch when their successes and failures
-- shared children crosswise: successes locked their children in one round, failures theirs in
-- later ones. Now every row is locked first, in one order (worker/attempt-ends.test.ts).
CREATE OR REPLACE FUNCTION manana_end_attempts(outcomes jsonb)
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
    -- Every row the batch will change, locked before any change and in one order: its own jobs,
    -- then, by id, the children whose counters its ends move. (Its jobs are doing, so none of
    -- them is another batch's child.) Two batches sharing children then wait for each other.
    PERFORM 1 FROM procrastinate_jobs
    WHERE id = ANY (ARRAY(SELECT (value->>'id')::bigint FROM jsonb_array_elements(outcomes)))
    ORDER BY id
    FOR UPDATE;
    PERFORM 1 FROM procrastinate_jobs
    WHERE id = ANY (ARRAY(
        SELECT edge.job_id FROM procrastinate_job_dependencies AS edge
        WHERE edge.depends_on_job_id = ANY (ARRAY(SELECT (value->>'id')::bigint FROM jsonb_array_elements(outcomes)))))
    ORDER BY id
    FOR NO KEY UPDATE;
    -- Successes together: those still doing for their worker, locked in id order, finished at once.
    WITH given AS (
        SELECT (value->>'id')::bigint AS id, (value->>'worker_id')::bigint AS worker_id, value->'result' AS result
        FROM jsonb_array_elements(outcomes)
        WHERE value->>'outcome' = 'succeeded'
    )
    SELECT array_agg(ours.id ORDER BY ours.id), array_agg(ours.result ORDER BY ours.id)
    INTO succeeded_ids, succeeded_results
    FROM (
        SELECT job.id, given.result
        FROM procrastinate_jobs AS job
        JOIN given ON given.id = job.id
        WHERE job.id = ANY (ARRAY(SELECT id FROM given))
          AND job.status = 'doing' AND job.worker_id IS NOT DISTINCT FROM given.worker_id
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
