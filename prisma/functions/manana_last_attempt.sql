-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_last_attempt(p_job_id bigint)
 RETURNS TABLE(started_at timestamp with time zone, ran_ms double precision)
 LANGUAGE sql
 STABLE
AS $function$
    SELECT times.started_at,
           CASE WHEN times.ended_at >= times.started_at THEN extract(epoch FROM times.ended_at - times.started_at) * 1000 END
    FROM (
        SELECT max(event.at) FILTER (WHERE event.type = 'started') AS started_at,
               max(event.at) FILTER (WHERE event.type IN ('succeeded', 'failed', 'aborted', 'deferred_for_retry')) AS ended_at
        FROM procrastinate_events AS event WHERE event.job_id = p_job_id
    ) AS times
$function$;
