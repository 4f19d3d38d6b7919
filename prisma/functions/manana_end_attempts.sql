-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_end_attempts(outcomes jsonb)
 RETURNS TABLE(job_id bigint, ended boolean)
 LANGUAGE plpgsql
AS $function$
DECLARE
    item jsonb;
    succeeded_ids bigint[];
    succeeded_results jsonb[];
    finished bigint[];
    marked bigint[];
    given_ids bigint[];
    given_workers bigint[];
    given_results jsonb[];
    given_attempts integer[];
    spawning boolean;
    refused bigint[] := '{}';
    refusals jsonb[] := '{}';
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
        WHERE edge.depends_on_job_id = ANY (ARRAY(
            SELECT (value->>'id')::bigint FROM jsonb_array_elements(outcomes)
            WHERE value->>'outcome' IS DISTINCT FROM 'started'))))
    ORDER BY id
    FOR NO KEY UPDATE;
    -- Starts of jobs claimed ahead.
    SELECT array_agg((value->>'id')::bigint), array_agg((value->>'worker_id')::bigint), array_agg((value->>'attempts')::integer)
    INTO given_ids, given_workers, given_attempts
    FROM jsonb_array_elements(outcomes) WHERE value->>'outcome' = 'started';
    IF given_ids IS NOT NULL THEN
        WITH started AS (
            UPDATE procrastinate_jobs AS job SET claimed_ahead = false
            FROM unnest(given_ids, given_workers, given_attempts) AS given (id, worker_id, attempts)
            WHERE job.id = given.id
              AND job.status = 'doing' AND job.worker_id IS NOT DISTINCT FROM given.worker_id
              AND job.attempts = coalesce(given.attempts, job.attempts)
            RETURNING job.id
        )
        SELECT array_agg(id) INTO marked FROM started;
        RETURN QUERY
        SELECT (given.value->>'id')::bigint, (given.value->>'id')::bigint = ANY (coalesce(marked, '{}'))
        FROM jsonb_array_elements(outcomes) AS given
        WHERE given.value->>'outcome' = 'started';
    END IF;
    -- Successes together: those still doing for their worker, locked in id order, finished at once.
    SELECT array_agg((value->>'id')::bigint), array_agg((value->>'worker_id')::bigint), array_agg(value->'result'), coalesce(bool_or(value ? 'spawn'), false),
           array_agg((value->>'attempts')::integer)
    INTO given_ids, given_workers, given_results, spawning, given_attempts
    FROM jsonb_array_elements(outcomes) WHERE value->>'outcome' = 'succeeded';
    -- (Each success's place in the given arrays found once.)
    SELECT array_agg(ours.id ORDER BY ours.id), array_agg(given_results[ours.at] ORDER BY ours.id)
    INTO succeeded_ids, succeeded_results
    FROM (
        SELECT job.id, job.worker_id, job.attempts, array_position(given_ids, job.id) AS at
        FROM procrastinate_jobs AS job
        WHERE job.id = ANY (given_ids) AND job.status = 'doing'
        ORDER BY job.id
        FOR UPDATE
    ) AS ours
    WHERE ours.worker_id IS NOT DISTINCT FROM given_workers[ours.at]
      AND ours.attempts = coalesce(given_attempts[ours.at], ours.attempts);
    -- The jobs successes spawned, before the successes are recorded: the dependents count them
    -- first. Each success's spawn is a subtransaction of its own: one refused (too many for its
    -- workflow, a bad job) fails that attempt, not retried (it would spawn the same again), and
    -- the rest of the batch goes on.
    IF spawning THEN
        FOR item IN
            SELECT value FROM jsonb_array_elements(outcomes)
            WHERE value->>'outcome' = 'succeeded' AND jsonb_array_length(coalesce(value->'spawn', '[]')) > 0
              AND (value->>'id')::bigint = ANY (coalesce(succeeded_ids, '{}'))
            ORDER BY (value->>'id')::bigint
        LOOP
            BEGIN
                PERFORM manana_spawn_jobs((item->>'id')::bigint, item->'spawn');
            EXCEPTION WHEN OTHERS THEN
                IF left(SQLSTATE, 2) <> 'MN' THEN
                    RAISE;
                END IF;
                refused := refused || (item->>'id')::bigint;
                refusals := refusals || jsonb_build_object('message', format('its task succeeded, but the jobs it spawned were refused: %s', SQLERRM), 'stack', NULL);
            END;
        END LOOP;
        IF cardinality(refused) > 0 THEN
            SELECT array_agg(ok.id ORDER BY ok.id), array_agg(ok.result ORDER BY ok.id) INTO succeeded_ids, succeeded_results
            FROM unnest(succeeded_ids, succeeded_results) AS ok (id, result) WHERE ok.id <> ALL (refused);
            RETURN QUERY
            SELECT spawner.id, manana_end_attempt(spawner.id, job.worker_id, 'failed', NULL, spawner.error, NULL)
            FROM unnest(refused, refusals) AS spawner (id, error) JOIN procrastinate_jobs AS job ON job.id = spawner.id;
        END IF;
    END IF;
    SELECT array_agg(id) INTO finished FROM manana_finish_jobs(succeeded_ids, 'succeeded', succeeded_results, false) AS id;
    RETURN QUERY
    SELECT (given.value->>'id')::bigint, (given.value->>'id')::bigint = ANY (coalesce(finished, '{}'))
    FROM jsonb_array_elements(outcomes) AS given
    WHERE given.value->>'outcome' = 'succeeded' AND (given.value->>'id')::bigint <> ALL (refused);
    -- Every other outcome (failures with their errors and retries, aborts, releases), one by one.
    FOR item IN
        SELECT value FROM jsonb_array_elements(outcomes)
        WHERE value->>'outcome' IS DISTINCT FROM 'succeeded' AND value->>'outcome' IS DISTINCT FROM 'started'
        ORDER BY (value->>'id')::bigint
    LOOP
        job_id := (item->>'id')::bigint;
        -- An end names the attempt it ends by the job's attempts when it was claimed: written
        -- again after its first call's answer was lost, it does not end a later attempt.
        IF item ? 'attempts' AND NOT EXISTS (
            SELECT 1 FROM procrastinate_jobs AS job WHERE job.id = job_id AND job.attempts = (item->>'attempts')::integer) THEN
            ended := false;
            RETURN NEXT;
            CONTINUE;
        END IF;
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
$function$;
