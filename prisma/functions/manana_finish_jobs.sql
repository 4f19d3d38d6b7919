-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_finish_jobs(job_ids bigint[], end_status procrastinate_job_status, job_results jsonb[], delete_jobs boolean)
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
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
$function$;
