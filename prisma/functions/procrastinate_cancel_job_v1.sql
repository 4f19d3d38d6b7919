-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_cancel_job_v1(job_id bigint, abort boolean, delete_job boolean)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
DECLARE
    _job_id bigint;
    _status procrastinate_job_status;
BEGIN
    UPDATE procrastinate_jobs AS job
    SET status = CASE job.status WHEN 'todo' THEN 'cancelled' ELSE job.status END::procrastinate_job_status,
        abort_requested = job.status = 'doing'
    WHERE job.id = $1 AND (job.status = 'todo' OR ($2 AND job.status = 'doing'))
    RETURNING job.id, job.status INTO _job_id, _status;
    IF _job_id IS NOT NULL AND delete_job AND _status = 'cancelled' THEN
        DELETE FROM procrastinate_jobs AS job WHERE job.id = _job_id;
    END IF;
    RETURN _job_id;
END;
$function$;
