-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_fetch_job_v2(target_queue_names character varying[], p_worker_id bigint)
 RETURNS procrastinate_jobs
 LANGUAGE plpgsql
AS $function$
DECLARE
    found_job procrastinate_jobs;
BEGIN
    SELECT * INTO found_job FROM manana_fetch_jobs(target_queue_names, p_worker_id, 1);
    RETURN found_job;  -- a row of NULLs when nothing is ready
END;
$function$;
