-- A dead worker's jobs come back within about a second (they took 2-3 s: three missed beats of
-- a second after its liveness lock was gone). A worker's lock going is the sign of its death; the
-- grace that keeps a live worker whose session dropped (it reconnects) now counts from the moment
-- a check first saw the lock gone (lock_missing_since), and such a worker proves itself by beating
-- after that moment: it beats every 0.1 s while it holds no lock. Workers that say so at
-- registration (lock_grace, in seconds) are judged by this rule; a worker of the release before
-- (lock_grace NULL), which beats only once a second, by the three missed beats as before. A mark
-- made before a restart of the server does not count (every session ended then): the first
-- check after it marks again, so a worker killed just before a restart is taken back about a
-- second after it, not at the 30 s heartbeat rule.
-- Checks run about five times a second in all, whatever the number of workers (each worker
-- checks every 0.2 s times their number).
--
-- manana_heartbeat writes the beat's own time (clock_timestamp), not its transaction's, so that a
-- beat and a check can be ordered whatever their transactions.
--
-- Error codes added here: none.
ALTER TABLE procrastinate_workers ADD COLUMN lock_missing_since timestamp with time zone;
ALTER TABLE procrastinate_workers ADD COLUMN lock_grace double precision;

-- Registration takes the lock grace (a worker of the release before calls it with seven
-- arguments, and registers without one).
DROP FUNCTION manana_register_worker(text, text, integer, character varying[], integer, jsonb, double precision);
CREATE FUNCTION manana_register_worker(
    p_name text, p_host text, p_pid integer, p_queues character varying[], p_concurrency integer, p_tasks jsonb,
    p_heartbeat_interval double precision, p_lock_grace double precision DEFAULT NULL
) RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    new_id bigint;
BEGIN
    SELECT worker_id INTO new_id FROM procrastinate_register_worker_v1();
    UPDATE procrastinate_workers
    SET name = p_name, host = p_host, pid = p_pid, queues = p_queues, concurrency = p_concurrency,
        heartbeat_interval = p_heartbeat_interval,
        task_names = ARRAY(SELECT task->>'name' FROM jsonb_array_elements(coalesce(p_tasks, '[]')) AS task),
        lock_grace = p_lock_grace
    WHERE id = new_id;
    INSERT INTO manana_tasks (name, queue_name, priority, lock, queueing_lock, retry, timeout_seconds, args_schema, announced_at)
    SELECT task->>'name', task->>'queue_name', coalesce((task->>'priority')::integer, 0), task->>'lock', task->>'queueing_lock',
           task->'retry', (task->>'timeout_seconds')::double precision, task->'args_schema', now()
    FROM jsonb_array_elements(coalesce(p_tasks, '[]')) AS task
    ON CONFLICT (name) DO UPDATE
    SET queue_name = excluded.queue_name, priority = excluded.priority, lock = excluded.lock,
        queueing_lock = excluded.queueing_lock, retry = excluded.retry,
        timeout_seconds = excluded.timeout_seconds, args_schema = excluded.args_schema,
        announced_at = excluded.announced_at;
    RETURN new_id;
END;
$$;

CREATE OR REPLACE FUNCTION manana_gone_workers(stale_seconds double precision)
    RETURNS TABLE (worker_id bigint, known_by text)
    LANGUAGE sql STABLE
AS $$
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
$$;

CREATE OR REPLACE FUNCTION manana_claim_stalled_jobs(stale_seconds double precision)
    RETURNS TABLE (job jsonb, started boolean, known_by text, worker jsonb)
    LANGUAGE plpgsql
AS $$
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
$$;

CREATE OR REPLACE FUNCTION manana_heartbeat(p_worker_id bigint) RETURNS boolean
    LANGUAGE sql
AS $$
    UPDATE procrastinate_workers
    SET last_heartbeat = clock_timestamp(),
        lock_seen_at = CASE WHEN manana_worker_lock_key(id)::oid IN (SELECT manana_held_worker_locks())
                            THEN now() ELSE lock_seen_at END
    WHERE id = p_worker_id
    RETURNING true
$$;

CREATE OR REPLACE FUNCTION manana_hold_worker_lock(p_worker_id bigint) RETURNS boolean
    LANGUAGE plpgsql
AS $$
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
$$;

