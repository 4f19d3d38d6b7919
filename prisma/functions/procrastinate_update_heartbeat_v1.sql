-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_update_heartbeat_v1(worker_id bigint)
 RETURNS void
 LANGUAGE sql
AS $function$ UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = $1 $function$;
