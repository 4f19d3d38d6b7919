-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_end_attempts_and_fetch(outcomes jsonb, target_queue_names character varying[], p_worker_id bigint, max_jobs integer, start_now integer DEFAULT NULL::integer)
 RETURNS TABLE(job_id bigint, ended boolean, job jsonb)
 LANGUAGE plpgsql
AS $function$
BEGIN
    RETURN QUERY SELECT done.job_id, done.ended, NULL::jsonb FROM manana_end_attempts(outcomes) AS done;
    IF max_jobs > 0 THEN
        RETURN QUERY SELECT NULL::bigint, NULL::boolean, to_jsonb(claimed)
        FROM manana_fetch_jobs(target_queue_names, p_worker_id, max_jobs, start_now) AS claimed;
    END IF;
END;
$function$;
