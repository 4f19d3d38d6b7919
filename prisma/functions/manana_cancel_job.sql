-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_cancel_job(p_job_id bigint, abort boolean)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF procrastinate_cancel_job_v1(p_job_id, abort, false) IS NULL THEN
        PERFORM manana_raise_job_status(p_job_id, 'MN012', CASE WHEN abort
            THEN 'only todo or doing jobs can be aborted'
            ELSE 'only todo jobs can be cancelled (abort a doing job instead)' END);
    END IF;
END;
$function$;
