-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_claim_stalled_jobs(stale_seconds double precision)
 RETURNS TABLE(job jsonb, started boolean, known_by text, worker jsonb)
 LANGUAGE plpgsql
AS $function$
DECLARE
    gone_ids bigint[];
    gone_known_by text[];
    gone_workers jsonb[];
    job_ids bigint[];
    orphan_ids bigint[];
BEGIN
    -- When each worker was first seen without its lock (cleared once it holds it again): the
    -- moment its grace counts from. Only rows whose mark changes, each skipped while another
    -- check or its beat changes it, and locked FOR NO KEY UPDATE: a live worker's claims check
    -- their foreign key to its row (FOR KEY SHARE) while they hold jobs this check then locks.
    UPDATE procrastinate_workers AS w
    SET lock_missing_since = CASE WHEN seen.holds THEN NULL ELSE now() END
    FROM (
        SELECT w.id, seen.holds
        FROM procrastinate_workers AS w
        CROSS JOIN LATERAL (SELECT manana_worker_lock_key(w.id)::oid IN (SELECT manana_held_worker_locks()) AS holds) AS seen
        WHERE w.lock_seen_at IS NOT NULL
          AND (seen.holds = (w.lock_missing_since IS NOT NULL) OR w.lock_missing_since <= pg_postmaster_start_time())
        FOR NO KEY UPDATE OF w SKIP LOCKED
    ) AS seen
    WHERE w.id = seen.id;
    SELECT array_agg(w.id), array_agg(w.known_by), array_agg(w.worker)
    INTO gone_ids, gone_known_by, gone_workers
    FROM (
        SELECT w.id, gone.known_by, jsonb_build_object('id', w.id, 'name', w.name, 'host', w.host, 'pid', w.pid) AS worker
        FROM manana_gone_workers(stale_seconds) AS gone
        JOIN procrastinate_workers AS w ON w.id = gone.worker_id
        ORDER BY w.id
        FOR UPDATE OF w SKIP LOCKED
    ) AS w;
    SELECT array_agg(j.id) INTO job_ids FROM (
        SELECT j.id FROM procrastinate_jobs AS j
        WHERE j.worker_id = ANY (coalesce(gone_ids, '{}')) AND j.status = 'doing'
        ORDER BY j.id
        FOR UPDATE OF j
    ) AS j;
    SELECT array_agg(j.id) INTO orphan_ids FROM (
        SELECT j.id FROM procrastinate_jobs AS j
        WHERE j.status = 'doing' AND j.worker_id IS NULL
          AND NOT EXISTS (
              SELECT 1 FROM procrastinate_events AS event
              WHERE event.job_id = j.id AND event.type = 'started'
                AND event.at > now() - make_interval(secs => stale_seconds))
        ORDER BY j.id
        FOR UPDATE OF j SKIP LOCKED
    ) AS j;
    -- Their children too, in id order, before the caller's ends move their counters (as a
    -- batch of ends does: job by job, two recoveries or a recovery and a batch could deadlock).
    PERFORM 1 FROM procrastinate_jobs
    WHERE id = ANY (ARRAY(
        SELECT edge.job_id FROM procrastinate_job_dependencies AS edge
        WHERE edge.depends_on_job_id = ANY (coalesce(job_ids, '{}') || coalesce(orphan_ids, '{}'))))
    ORDER BY id
    FOR NO KEY UPDATE;

    RETURN QUERY
    SELECT to_jsonb(j), NOT j.claimed_ahead, coalesce(gone.known_by, 'pruned'), gone.worker
    FROM procrastinate_jobs AS j
    LEFT JOIN unnest(gone_ids, gone_known_by, gone_workers) AS gone (id, known_by, worker) ON gone.id = j.worker_id
    WHERE j.id = ANY (coalesce(job_ids, '{}') || coalesce(orphan_ids, '{}'))
    ORDER BY j.id;

    -- Their jobs lose their worker here (ON DELETE SET NULL), as the caller's ends expect.
    DELETE FROM procrastinate_workers WHERE id = ANY (coalesce(gone_ids, '{}'));
END;
$function$;
