-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_retry_job_v1(job_id bigint, retry_at timestamp with time zone, new_priority integer, new_queue_name character varying, new_lock character varying)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS job WHERE job.id = $1 AND job.status = 'doing') THEN
        PERFORM manana_raise_job_status($1, 'MN008', 'only doing jobs can be retried this way');
    END IF;
    PERFORM procrastinate_retry_job_v2($1, $2, $3, $4, $5);
END;
$function$;
