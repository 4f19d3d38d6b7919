-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_announce_ready(queue_name text, job_id bigint)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    payload text := json_build_object('type', 'job_inserted', 'job_id', job_id)::text;
BEGIN
    PERFORM pg_notify('procrastinate_queue_v1#' || queue_name, payload);
    PERFORM pg_notify('procrastinate_any_queue_v1', payload);
END;
$function$;
