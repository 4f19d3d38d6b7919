-- A dead worker's jobs come back in seconds, and only a dead worker's; a job it had claimed
-- but never started goes back to todo without an attempt counted.
--
-- Liveness: each Mañana worker holds a session advisory lock, keyed by its id, on the
-- connection it listens on. When its process dies, the server ends that session and the lock
-- is gone at once; other workers see it in pg_locks. A lock can also go because the
-- connection alone dropped (the worker reconnects and takes it again: meanwhile its heartbeat,
-- sent on other connections, still comes), or because every session ended (a restart of the
-- server, or its recovery from a crashed backend). So a worker is gone by its lock only when
--   * it took one (Python workers take none: for them, and for hung workers, the heartbeat
--     older than the stale timeout stays the rule),
--   * it no longer holds it, and no heartbeat came for three of its heartbeat intervals, and
--   * another worker's lock session began before this worker's last beat that saw its lock
--     held, and still holds: no event that ends every session has happened since.
--
-- Error codes added here: none.

ALTER TABLE procrastinate_workers
    -- Seconds between its heartbeats; NULL for workers that do not say (Python's).
    ADD COLUMN heartbeat_interval double precision,
    -- When the session holding its liveness lock took it; NULL: it holds none.
    ADD COLUMN lock_since timestamp with time zone,
    -- Its last heartbeat that found its liveness lock held.
    ADD COLUMN lock_seen_at timestamp with time zone;

-- Claimed by a worker that has not started it yet (claimed ahead of a free slot). A job that
-- was never started goes back to todo, without an attempt, when its worker is lost.
ALTER TABLE procrastinate_jobs ADD COLUMN claimed_ahead boolean NOT NULL DEFAULT false;

-- The advisory lock of a worker: a class of this schema's own, and the worker's id.
CREATE FUNCTION manana_worker_lock_class() RETURNS integer
    LANGUAGE sql STABLE
AS $$ SELECT hashtext('manana worker liveness ' || current_schema()) $$;

CREATE FUNCTION manana_worker_lock_key(p_worker_id bigint) RETURNS integer
    LANGUAGE sql IMMUTABLE
AS $$ SELECT (p_worker_id % 2147483648)::integer $$;

-- The ids (as pg_locks shows them) of the workers whose liveness lock is held now.
CREATE FUNCTION manana_held_worker_locks() RETURNS SETOF oid
    LANGUAGE sql STABLE
AS $$
    SELECT lock.objid FROM pg_locks AS lock
    WHERE lock.locktype = 'advisory' AND lock.granted AND lock.objsubid = 2
      AND lock.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND lock.classid = manana_worker_lock_class()::oid
$$;

-- Called on the worker's listening connection, after each (re)connect: takes its liveness
-- lock for the session. False when another session holds it still, or the worker is unknown.
CREATE FUNCTION manana_hold_worker_lock(p_worker_id bigint) RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    taken_at timestamp with time zone;
BEGIN
    IF NOT pg_try_advisory_lock(manana_worker_lock_class(), manana_worker_lock_key(p_worker_id)) THEN
        RETURN false;
    END IF;
    taken_at := clock_timestamp();  -- not before the lock was taken: the witness rule needs that
    UPDATE procrastinate_workers SET lock_since = taken_at, lock_seen_at = taken_at WHERE id = p_worker_id;
    IF FOUND THEN
        RETURN true;
    END IF;
    PERFORM pg_advisory_unlock(manana_worker_lock_class(), manana_worker_lock_key(p_worker_id));
    RETURN false;
END;
$$;

-- A Mañana worker's heartbeat: Procrastinate's, and whether its liveness lock is held. False
-- when the worker is no longer registered (it was pruned as stalled).
CREATE FUNCTION manana_heartbeat(p_worker_id bigint) RETURNS boolean
    LANGUAGE sql
AS $$
    UPDATE procrastinate_workers
    SET last_heartbeat = now(),
        lock_seen_at = CASE WHEN manana_worker_lock_key(id)::oid IN (SELECT manana_held_worker_locks())
                            THEN now() ELSE lock_seen_at END
    WHERE id = p_worker_id
    RETURNING true
$$;

-- Registration says how often the worker beats (the grace of the lock rule is three beats).
DROP FUNCTION manana_register_worker(text, text, integer, character varying[], integer, jsonb);
CREATE FUNCTION manana_register_worker(
    p_name text, p_host text, p_pid integer, p_queues character varying[], p_concurrency integer, p_tasks jsonb,
    p_heartbeat_interval double precision
) RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    new_id bigint;
BEGIN
    SELECT worker_id INTO new_id FROM procrastinate_register_worker_v1();
    UPDATE procrastinate_workers
    SET name = p_name, host = p_host, pid = p_pid, queues = p_queues, concurrency = p_concurrency,
        heartbeat_interval = p_heartbeat_interval
    WHERE id = new_id;
    INSERT INTO manana_tasks (name, queue_name, priority, retry, timeout_seconds, args_schema, announced_at)
    SELECT task->>'name', task->>'queue_name', coalesce((task->>'priority')::integer, 0), task->'retry',
           (task->>'timeout_seconds')::double precision, task->'args_schema', now()
    FROM jsonb_array_elements(coalesce(p_tasks, '[]')) AS task
    ON CONFLICT (name) DO UPDATE
    SET queue_name = excluded.queue_name, priority = excluded.priority, retry = excluded.retry,
        timeout_seconds = excluded.timeout_seconds, args_schema = excluded.args_schema,
        announced_at = excluded.announced_at;
    RETURN new_id;
END;
$$;

-- The workers that are gone, and how it is known: 'connection' (the lock rule above) or
-- 'heartbeat' (none for stale_seconds).
CREATE FUNCTION manana_gone_workers(stale_seconds double precision)
    RETURNS TABLE (worker_id bigint, known_by text)
    LANGUAGE sql STABLE
AS $$
    WITH held AS MATERIALIZED (
        SELECT manana_held_worker_locks() AS key
    ), worker AS MATERIALIZED (
        SELECT w.id, w.last_heartbeat, w.heartbeat_interval, w.lock_since, w.lock_seen_at,
               manana_worker_lock_key(w.id)::oid IN (SELECT key FROM held) AS holds
        FROM procrastinate_workers AS w
    )
    SELECT w.id, CASE WHEN w.last_heartbeat < now() - make_interval(secs => stale_seconds) THEN 'heartbeat' ELSE 'connection' END
    FROM worker AS w
    WHERE w.last_heartbeat < now() - make_interval(secs => stale_seconds)
       OR (w.lock_seen_at IS NOT NULL AND NOT w.holds
           AND w.last_heartbeat < now() - make_interval(secs => 3 * w.heartbeat_interval)
           AND EXISTS (
               SELECT 1 FROM worker AS witness
               WHERE witness.holds AND witness.id <> w.id AND witness.lock_since <= w.lock_seen_at))
$$;

-- Jobs left doing by workers that are gone, and by workers pruned elsewhere (doing without a
-- worker, started longer than stale_seconds ago). Each comes with whether it was started (not
-- merely claimed ahead) and what is known of its worker; the jobs are locked for the caller's
-- transaction and the gone workers removed, so the caller ends each attempt with
-- manana_end_attempt(id, NULL, …): 'released' when it never started, else 'failed' as the task's
-- retry strategy says. Two callers at once take disjoint workers.
DROP FUNCTION manana_claim_stalled_jobs(double precision);
CREATE FUNCTION manana_claim_stalled_jobs(stale_seconds double precision)
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

-- The claim marks the jobs beyond the first start_now (in claim order) as claimed ahead:
-- the worker starts the others at once. NULL (upstream's fetch): all start at once.
DROP FUNCTION manana_end_attempts_and_fetch(jsonb, character varying[], bigint, integer);
DROP FUNCTION procrastinate_fetch_job_v2(character varying[], bigint);
DROP FUNCTION manana_fetch_jobs(character varying[], bigint, integer);
CREATE FUNCTION manana_fetch_jobs(
    target_queue_names character varying[], p_worker_id bigint, max_jobs integer, start_now integer DEFAULT NULL
) RETURNS SETOF procrastinate_jobs
    LANGUAGE plpgsql
AS $$
DECLARE
    candidates bigint[];
    claimed procrastinate_jobs[];
BEGIN
    BEGIN
        SELECT array_agg(candidate.id ORDER BY candidate.priority DESC, candidate.id) INTO candidates
        FROM (
            SELECT job.id, job.priority
            FROM procrastinate_jobs AS job
            WHERE job.status = 'todo'
              AND job.unfinished_parents = 0
              AND (target_queue_names IS NULL OR job.queue_name = ANY (target_queue_names))
              AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())
              AND (job.lock IS NULL OR NOT EXISTS (
                  SELECT 1 FROM procrastinate_jobs AS other
                  WHERE other.lock = job.lock
                    AND other.status IN ('todo', 'doing')
                    AND other.id <> job.id
                    AND (other.status = 'doing'
                         OR (other.unfinished_parents = 0
                             AND (other.scheduled_at IS NULL OR other.scheduled_at <= now())
                             AND (other.priority > job.priority
                                  OR (other.priority = job.priority AND other.id < job.id))))))
            ORDER BY job.priority DESC, job.id ASC
            LIMIT max_jobs
            FOR UPDATE OF job SKIP LOCKED
        ) AS candidate;
        WITH taken AS (
            UPDATE procrastinate_jobs AS job
            SET status = 'doing', worker_id = p_worker_id,
                -- Not among the first start_now (a few: the free slots), not a search of them all.
                claimed_ahead = start_now IS NOT NULL AND job.id <> ALL (candidates[1:start_now])
            WHERE job.id = ANY (candidates)
            RETURNING job.*
        )
        SELECT array_agg(taken::procrastinate_jobs ORDER BY taken.priority DESC, taken.id) INTO claimed FROM taken;
    EXCEPTION WHEN unique_violation THEN
        -- Two fetchers raced into one lock group; the loser takes nothing this round.
        RETURN;
    END;
    RETURN QUERY SELECT * FROM unnest(claimed);
END;
$$;

CREATE FUNCTION procrastinate_fetch_job_v2(target_queue_names character varying[], p_worker_id bigint)
    RETURNS procrastinate_jobs
    LANGUAGE plpgsql
AS $$
DECLARE
    found_job procrastinate_jobs;
BEGIN
    SELECT * INTO found_job FROM manana_fetch_jobs(target_queue_names, p_worker_id, 1);
    RETURN found_job;  -- a row of NULLs when nothing is ready
END;
$$;

CREATE FUNCTION manana_end_attempts_and_fetch(
    outcomes jsonb, target_queue_names character varying[], p_worker_id bigint, max_jobs integer, start_now integer DEFAULT NULL
) RETURNS TABLE (job_id bigint, ended boolean, job jsonb)
    LANGUAGE plpgsql
AS $$
BEGIN
    RETURN QUERY SELECT done.job_id, done.ended, NULL::jsonb FROM manana_end_attempts(outcomes) AS done;
    IF max_jobs > 0 THEN
        RETURN QUERY SELECT NULL::bigint, NULL::boolean, to_jsonb(claimed)
        FROM manana_fetch_jobs(target_queue_names, p_worker_id, max_jobs, start_now) AS claimed;
    END IF;
END;
$$;

-- A batch of outcomes may also say that jobs claimed ahead have started ({id, worker_id,
-- outcome: 'started'}, answered like the ends: false when the job is no longer the worker's).
-- Starts come first, so a job that started and ended within one batch is both.
CREATE OR REPLACE FUNCTION manana_end_attempts(outcomes jsonb)
    RETURNS TABLE (job_id bigint, ended boolean)
    LANGUAGE plpgsql
AS $$
DECLARE
    item jsonb;
    succeeded_ids bigint[];
    succeeded_results jsonb[];
    finished bigint[];
    marked bigint[];
BEGIN
    IF jsonb_typeof(outcomes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = 'manana_end_attempts takes a JSON array of outcomes';
    END IF;
    -- Every row the batch will change, locked before any change and in one order: its own jobs,
    -- then, by id, the children whose counters its ends move. (Its jobs are doing, so none of
    -- them is another batch's child.) Two batches sharing children then wait for each other.
    PERFORM 1 FROM procrastinate_jobs
    WHERE id = ANY (ARRAY(SELECT (value->>'id')::bigint FROM jsonb_array_elements(outcomes)))
    ORDER BY id
    FOR UPDATE;
    PERFORM 1 FROM procrastinate_jobs
    WHERE id = ANY (ARRAY(
        SELECT edge.job_id FROM procrastinate_job_dependencies AS edge
        WHERE edge.depends_on_job_id = ANY (ARRAY(
            SELECT (value->>'id')::bigint FROM jsonb_array_elements(outcomes)
            WHERE value->>'outcome' IS DISTINCT FROM 'started'))))
    ORDER BY id
    FOR NO KEY UPDATE;
    -- Starts of jobs claimed ahead.
    WITH given AS (
        SELECT (value->>'id')::bigint AS id, (value->>'worker_id')::bigint AS worker_id
        FROM jsonb_array_elements(outcomes)
        WHERE value->>'outcome' = 'started'
    ), started AS (
        UPDATE procrastinate_jobs AS job SET claimed_ahead = false
        FROM given
        WHERE job.id = given.id AND job.id = ANY (ARRAY(SELECT id FROM given))
          AND job.status = 'doing' AND job.worker_id IS NOT DISTINCT FROM given.worker_id
        RETURNING job.id
    )
    SELECT array_agg(id) INTO marked FROM started;
    RETURN QUERY
    SELECT (given.value->>'id')::bigint, (given.value->>'id')::bigint = ANY (coalesce(marked, '{}'))
    FROM jsonb_array_elements(outcomes) AS given
    WHERE given.value->>'outcome' = 'started';
    -- Successes together: those still doing for their worker, locked in id order, finished at once.
    WITH given AS (
        SELECT (value->>'id')::bigint AS id, (value->>'worker_id')::bigint AS worker_id, value->'result' AS result
        FROM jsonb_array_elements(outcomes)
        WHERE value->>'outcome' = 'succeeded'
    )
    SELECT array_agg(ours.id ORDER BY ours.id), array_agg(ours.result ORDER BY ours.id)
    INTO succeeded_ids, succeeded_results
    FROM (
        SELECT job.id, given.result
        FROM procrastinate_jobs AS job
        JOIN given ON given.id = job.id
        WHERE job.id = ANY (ARRAY(SELECT id FROM given))
          AND job.status = 'doing' AND job.worker_id IS NOT DISTINCT FROM given.worker_id
        ORDER BY job.id
        FOR UPDATE OF job
    ) AS ours;
    SELECT array_agg(id) INTO finished FROM manana_finish_jobs(succeeded_ids, 'succeeded', succeeded_results, false) AS id;
    RETURN QUERY
    SELECT (given.value->>'id')::bigint, (given.value->>'id')::bigint = ANY (coalesce(finished, '{}'))
    FROM jsonb_array_elements(outcomes) AS given
    WHERE given.value->>'outcome' = 'succeeded';
    -- Every other outcome (failures with their errors and retries, aborts, releases), one by one.
    FOR item IN
        SELECT value FROM jsonb_array_elements(outcomes)
        WHERE value->>'outcome' IS DISTINCT FROM 'succeeded' AND value->>'outcome' IS DISTINCT FROM 'started'
        ORDER BY (value->>'id')::bigint
    LOOP
        job_id := (item->>'id')::bigint;
        ended := manana_end_attempt(
            job_id,
            (item->>'worker_id')::bigint,
            item->>'outcome',
            item->'result',
            item->'error',
            (item->>'retry_in')::double precision);
        RETURN NEXT;
    END LOOP;
END;
$$;
