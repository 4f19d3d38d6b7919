-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_delete_job(p_job_id bigint)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    current_status procrastinate_job_status;
BEGIN
    SELECT status INTO current_status FROM procrastinate_jobs WHERE id = p_job_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s does not exist', p_job_id);
    END IF;
    IF current_status = 'doing' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN010', MESSAGE = format('job %s is running: abort it before deleting it', p_job_id);
    END IF;
    IF manana_has_unfinished_children(p_job_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN011', MESSAGE = format(
            'job %s has children that have not finished; they need its status and result', p_job_id);
    END IF;
    DELETE FROM procrastinate_jobs WHERE id = p_job_id;
END;
$function$;
