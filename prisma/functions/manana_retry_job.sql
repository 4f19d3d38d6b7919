-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_retry_job(p_job_id bigint, with_downstream boolean)
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
DECLARE
    targets bigint[] := ARRAY(SELECT target.id FROM manana_jobs_to_retry(p_job_id, with_downstream) AS target);
BEGIN
    PERFORM manana_forget_spawned(targets);
    RETURN QUERY
    UPDATE procrastinate_jobs AS job
    SET status = 'todo', scheduled_at = NULL, abort_requested = false, worker_id = NULL, result = NULL
    WHERE job.id = ANY (targets) AND manana_is_terminal(job.status)
    RETURNING job.id;
END;
$function$;
