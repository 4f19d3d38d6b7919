-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_status_event(old_status procrastinate_job_status, new_status procrastinate_job_status)
 RETURNS procrastinate_job_event_type
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE
        WHEN old_status = 'todo' AND new_status = 'doing' THEN 'started'::procrastinate_job_event_type
        WHEN old_status = 'doing' AND new_status = 'todo' THEN 'deferred_for_retry'::procrastinate_job_event_type
        WHEN old_status = 'doing' AND new_status = 'failed' THEN 'failed'::procrastinate_job_event_type
        WHEN old_status = 'doing' AND new_status = 'succeeded' THEN 'succeeded'::procrastinate_job_event_type
        WHEN old_status = 'doing' AND new_status = 'aborted' THEN 'aborted'::procrastinate_job_event_type
        WHEN old_status = 'todo' AND new_status IN ('cancelled', 'failed', 'succeeded') THEN 'cancelled'::procrastinate_job_event_type
        -- failed -> todo is Procrastinate's retry; Mañana also re-runs other finished jobs.
        WHEN manana_is_terminal(old_status) AND new_status = 'todo' THEN 'retried'::procrastinate_job_event_type
    END
$function$;
