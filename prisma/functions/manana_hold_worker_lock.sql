-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_hold_worker_lock(p_worker_id bigint)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
DECLARE
    taken_at timestamp with time zone;
BEGIN
    IF NOT pg_try_advisory_lock(manana_worker_lock_class(), manana_worker_lock_key(p_worker_id)) THEN
        RETURN false;
    END IF;
    taken_at := clock_timestamp();  -- not before the lock was taken: the witness rule needs that
    UPDATE procrastinate_workers SET lock_since = taken_at, lock_seen_at = taken_at, lock_missing_since = NULL WHERE id = p_worker_id;
    IF FOUND THEN
        RETURN true;
    END IF;
    PERFORM pg_advisory_unlock(manana_worker_lock_class(), manana_worker_lock_key(p_worker_id));
    RETURN false;
END;
$function$;
