-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_prune_stalled_workers_v1(seconds_since_heartbeat double precision)
 RETURNS TABLE(worker_id bigint)
 LANGUAGE sql
AS $function$
    DELETE FROM procrastinate_workers
    WHERE last_heartbeat < now() - make_interval(secs => $1)
    RETURNING id
$function$;
