-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_notify_queue_abort_job_v1()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    payload text := json_build_object('type', 'abort_job_requested', 'job_id', NEW.id)::text;
BEGIN
    PERFORM pg_notify('procrastinate_queue_v1#' || NEW.queue_name, payload);
    PERFORM pg_notify('procrastinate_any_queue_v1', payload);
    RETURN NULL;
END;
$function$;
