-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_unregister_worker_v1(worker_id bigint)
 RETURNS void
 LANGUAGE sql
AS $function$ DELETE FROM procrastinate_workers WHERE id = $1 $function$;
