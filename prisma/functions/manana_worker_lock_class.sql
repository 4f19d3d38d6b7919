-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_worker_lock_class()
 RETURNS integer
 LANGUAGE sql
 STABLE
AS $function$ SELECT hashtext('manana worker liveness ' || current_schema()) $function$;
