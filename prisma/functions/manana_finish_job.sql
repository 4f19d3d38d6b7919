-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_finish_job(p_job_id bigint, end_status procrastinate_job_status, job_result jsonb, delete_job boolean)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF NOT EXISTS (SELECT FROM manana_finish_jobs(ARRAY[p_job_id], end_status, ARRAY[job_result], delete_job)) THEN
        PERFORM manana_raise_job_status(p_job_id, 'MN009', 'only todo or doing jobs can be finished');
    END IF;
END;
$function$;
