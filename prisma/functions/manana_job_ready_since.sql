-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_job_ready_since(p_job_id bigint, p_scheduled_at timestamp with time zone)
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE
AS $function$
    SELECT greatest(
        p_scheduled_at,
        (SELECT max(event.at) FROM procrastinate_events AS event
         WHERE event.job_id = p_job_id AND event.type IN ('deferred', 'deferred_for_retry', 'retried')),
        (SELECT max(event.at) FROM procrastinate_job_dependencies AS edge
         JOIN procrastinate_events AS event ON event.job_id = edge.depends_on_job_id
         WHERE edge.job_id = p_job_id AND event.type IN ('succeeded', 'failed', 'cancelled', 'aborted')))
$function$;
