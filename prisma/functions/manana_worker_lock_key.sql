-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_worker_lock_key(p_worker_id bigint)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT (p_worker_id % 2147483648)::integer $function$;
