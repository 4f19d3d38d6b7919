-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_held_worker_locks()
 RETURNS SETOF oid
 LANGUAGE sql
 STABLE
AS $function$
    SELECT lock.objid FROM pg_locks AS lock
    WHERE lock.locktype = 'advisory' AND lock.granted AND lock.objsubid = 2
      AND lock.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND lock.classid = manana_worker_lock_class()::oid
$function$;
