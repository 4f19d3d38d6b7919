-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_gone_workers(stale_seconds double precision)
 RETURNS TABLE(worker_id bigint, known_by text)
 LANGUAGE sql
 STABLE
AS $function$
    WITH held AS MATERIALIZED (
        SELECT manana_held_worker_locks() AS key
    ), worker AS MATERIALIZED (
        SELECT w.id, w.last_heartbeat, w.heartbeat_interval, w.lock_since, w.lock_seen_at, w.lock_missing_since, w.lock_grace,
               manana_worker_lock_key(w.id)::oid IN (SELECT key FROM held) AS holds
        FROM procrastinate_workers AS w
    )
    SELECT w.id, CASE WHEN w.last_heartbeat < now() - make_interval(secs => stale_seconds) THEN 'heartbeat' ELSE 'connection' END
    FROM worker AS w
    WHERE w.last_heartbeat < now() - make_interval(secs => stale_seconds)
       OR (w.lock_seen_at IS NOT NULL AND NOT w.holds
           AND CASE WHEN w.lock_grace IS NULL
                    -- A worker of the release before: three missed beats, and (after a restart of
                    -- the server every lock is gone) a witness: a worker holding a lock it took
                    -- before the last time this one's was seen.
                    THEN w.last_heartbeat < now() - make_interval(secs => 3 * w.heartbeat_interval)
                         AND EXISTS (
                             SELECT 1 FROM worker AS witness
                             WHERE witness.holds AND witness.id <> w.id AND witness.lock_since <= w.lock_seen_at)
                    -- Seen without its lock longer than its grace, by a check since the server
                    -- started (a restart ends every session: the grace counts from after it), and
                    -- no beat since it was seen so.
                    ELSE w.lock_missing_since > pg_postmaster_start_time()
                         AND w.lock_missing_since < now() - make_interval(secs => w.lock_grace)
                         AND w.last_heartbeat < w.lock_missing_since
               END)
$function$;
