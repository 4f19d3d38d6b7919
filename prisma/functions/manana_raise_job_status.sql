-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_raise_job_status(p_job_id bigint, sqlstate text, action text)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    current_status procrastinate_job_status;
BEGIN
    SELECT status INTO current_status FROM procrastinate_jobs WHERE id = p_job_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s does not exist', p_job_id);
    END IF;
    RAISE EXCEPTION USING ERRCODE = sqlstate,
        MESSAGE = format('job %s is %s: %s', p_job_id, current_status, action);
END;
$function$;
