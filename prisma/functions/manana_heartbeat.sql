-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_heartbeat(p_worker_id bigint)
 RETURNS boolean
 LANGUAGE sql
AS $function$
    UPDATE procrastinate_workers
    SET last_heartbeat = clock_timestamp(),
        lock_seen_at = CASE WHEN manana_worker_lock_key(id)::oid IN (SELECT manana_held_worker_locks())
                            THEN now() ELSE lock_seen_at END
    WHERE id = p_worker_id
    RETURNING true
$function$;
