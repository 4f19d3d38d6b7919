-- Status changes are followed up once per statement, not once per row: a worker claims and
-- finishes jobs in batches, and per-row triggers cost more than the updates themselves
-- (profiled on PG 15: 50 µs per claimed job for the 'started' event, 16 µs per finished job for
-- the children counters even without children). Same events, same counters, same order of
-- events per job; the 'scheduled' and 'abort_requested' events stay per row and so still come
-- before the status event of the same statement, as upstream's trigger names order them.

DROP TRIGGER procrastinate_trigger_status_events_update_v1 ON procrastinate_jobs;
DROP FUNCTION procrastinate_trigger_function_status_events_update_v1();
DROP TRIGGER manana_update_children_counts ON procrastinate_jobs;
DROP FUNCTION manana_update_children_counts();
DROP TRIGGER manana_notify_job_ready ON procrastinate_jobs;
DROP FUNCTION procrastinate_notify_queue_job_inserted_v1();

-- Wakes the workers of a queue (Python's too: they fetch on any job_inserted) for a job that is
-- ready: new, or a child whose last parent just finished.
CREATE FUNCTION manana_announce_ready(queue_name text, job_id bigint) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    payload text := json_build_object('type', 'job_inserted', 'job_id', job_id)::text;
BEGIN
    PERFORM pg_notify('procrastinate_queue_v1#' || queue_name, payload);
    PERFORM pg_notify('procrastinate_any_queue_v1', payload);
END;
$$;

-- New jobs, once per statement: their 'deferred' and 'scheduled' events, and one announcement
-- per queue that got ready jobs (a listening worker only needs waking).
CREATE OR REPLACE FUNCTION manana_jobs_inserted() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO procrastinate_events (job_id, type)
    SELECT id, 'deferred' FROM new_jobs WHERE status = 'todo' ORDER BY id;
    INSERT INTO procrastinate_events (job_id, type, at)
    SELECT id, 'scheduled', scheduled_at FROM new_jobs WHERE status = 'todo' AND scheduled_at IS NOT NULL ORDER BY id;
    PERFORM manana_announce_ready(queue_name, min(id)) FROM new_jobs
    WHERE status = 'todo' AND unfinished_parents = 0
    GROUP BY queue_name;
    RETURN NULL;
END;
$$;

-- The event a status change writes (NULL: none), Procrastinate's table of them. Typed literals
-- (not a cast of the CASE) keep it immutable, so the planner inlines it.
CREATE FUNCTION manana_status_event(old_status procrastinate_job_status, new_status procrastinate_job_status)
    RETURNS procrastinate_job_event_type
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN old_status = 'todo' AND new_status = 'doing' THEN 'started'::procrastinate_job_event_type
        WHEN old_status = 'doing' AND new_status = 'todo' THEN 'deferred_for_retry'::procrastinate_job_event_type
        WHEN old_status = 'doing' AND new_status = 'failed' THEN 'failed'::procrastinate_job_event_type
        WHEN old_status = 'doing' AND new_status = 'succeeded' THEN 'succeeded'::procrastinate_job_event_type
        WHEN old_status = 'doing' AND new_status = 'aborted' THEN 'aborted'::procrastinate_job_event_type
        WHEN old_status = 'todo' AND new_status IN ('cancelled', 'failed', 'succeeded') THEN 'cancelled'::procrastinate_job_event_type
        -- failed -> todo is Procrastinate's retry; Mañana also re-runs other finished jobs.
        WHEN manana_is_terminal(old_status) AND new_status = 'todo' THEN 'retried'::procrastinate_job_event_type
    END
$$;

-- Every job a statement updated: the event of each status change; the children's counters,
-- moved by the parents that crossed the terminal line (one update per child, however many of
-- its parents the statement finished; children locked in id order, so concurrent batches cannot
-- deadlock); and one announcement per queue where children became ready (that update fires
-- this trigger again). The transition tables are read once each, in id order, and paired by
-- position: joined, their plan (cached from the first, often one-row, call) compared every row
-- with every other.
CREATE FUNCTION manana_jobs_updated() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    ids bigint[];
    statuses_before procrastinate_job_status[];
    statuses_after procrastinate_job_status[];
    waiting_before integer[];
    waiting_after integer[];
    worker_ids bigint[];
    queues text[];
    crossed bigint[];
    deltas integer[];
    child_ids bigint[];
BEGIN
    SELECT array_agg(id ORDER BY id), array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id)
    INTO ids, statuses_before, waiting_before FROM old_jobs;
    SELECT array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id), array_agg(worker_id ORDER BY id), array_agg(queue_name ORDER BY id)
    INTO statuses_after, waiting_after, worker_ids, queues FROM new_jobs;

    IF waiting_before IS DISTINCT FROM waiting_after THEN
        PERFORM manana_announce_ready(job.queue_name, min(job.id))
        FROM unnest(ids, waiting_before, waiting_after, statuses_after, queues) AS job (id, before, after, status, queue_name)
        WHERE job.before > 0 AND job.after = 0 AND job.status = 'todo'
        GROUP BY job.queue_name;
    END IF;
    IF statuses_before IS NOT DISTINCT FROM statuses_after THEN
        RETURN NULL;
    END IF;

    INSERT INTO procrastinate_events (job_id, type, worker_id)
    SELECT change.id, event.type, CASE WHEN event.type = 'started' THEN change.worker_id END
    FROM unnest(ids, statuses_before, statuses_after, worker_ids) AS change (id, before, after, worker_id)
    CROSS JOIN LATERAL (SELECT manana_status_event(change.before, change.after) AS type) AS event
    WHERE event.type IS NOT NULL;

    SELECT array_agg(change.id), array_agg(CASE WHEN manana_is_terminal(change.after) THEN -1 ELSE 1 END)
    INTO crossed, deltas
    FROM unnest(ids, statuses_before, statuses_after) AS change (id, before, after)
    WHERE manana_is_terminal(change.before) <> manana_is_terminal(change.after);
    IF crossed IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(moved.job_id ORDER BY moved.job_id), array_agg(moved.delta ORDER BY moved.job_id)
    INTO child_ids, deltas
    FROM (
        SELECT edge.job_id, sum(parent.delta)::integer AS delta
        FROM unnest(crossed, deltas) AS parent (id, delta)
        JOIN procrastinate_job_dependencies AS edge ON edge.depends_on_job_id = parent.id
        GROUP BY edge.job_id
    ) AS moved
    WHERE moved.delta <> 0;
    IF child_ids IS NOT NULL THEN
        PERFORM 1 FROM procrastinate_jobs WHERE id = ANY (child_ids) ORDER BY id FOR NO KEY UPDATE;
        UPDATE procrastinate_jobs AS child
        SET unfinished_parents = child.unfinished_parents + moved.delta
        FROM unnest(child_ids, deltas) AS moved (id, delta)
        WHERE child.id = moved.id;
    END IF;
    RETURN NULL;
END;
$$;

-- Transition tables rule out a column list, so this fires for every UPDATE statement on jobs;
-- those that change no status (the counters' own update, abort requests) find
-- nothing to do.
CREATE TRIGGER manana_jobs_updated
    AFTER UPDATE ON procrastinate_jobs
    REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION manana_jobs_updated();

-- The claim updates the chosen rows through the primary key: joined to the CTE, the planner
-- hashed it and scanned the whole table (2.7 ms per claim at 20,000 jobs, growing with the table).
CREATE OR REPLACE FUNCTION manana_fetch_jobs(target_queue_names character varying[], p_worker_id bigint, max_jobs integer)
    RETURNS SETOF procrastinate_jobs
    LANGUAGE plpgsql
AS $$
DECLARE
    claimed procrastinate_jobs[];
BEGIN
    BEGIN
        WITH candidate AS (
            SELECT job.id
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
        ), taken AS (
            UPDATE procrastinate_jobs AS job
            SET status = 'doing', worker_id = p_worker_id
            WHERE job.id = ANY (ARRAY(SELECT id FROM candidate))
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

-- The same for finishing: the rows are found through the primary key (= ANY of the ids), not by
-- a hash join over the table, and not through whichever index of doing jobs statistics favour.
CREATE OR REPLACE FUNCTION manana_finish_jobs(job_ids bigint[], end_status procrastinate_job_status, job_results jsonb[], delete_jobs boolean)
    RETURNS SETOF bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    finished bigint[];
BEGIN
    IF end_status IS NULL OR end_status NOT IN ('succeeded', 'failed', 'aborted') THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009',
            MESSAGE = format('a job ends as succeeded, failed or aborted, not %s (jobs %s)', end_status, job_ids);
    END IF;
    WITH done AS (
        UPDATE procrastinate_jobs AS job
        SET status = end_status,
            result = given.result,
            abort_requested = false,
            worker_id = NULL,
            attempts = CASE job.status WHEN 'doing' THEN job.attempts + 1 ELSE job.attempts END
        FROM unnest(job_ids, job_results) AS given (id, result)
        WHERE job.id = ANY (job_ids) AND job.id = given.id AND job.status IN ('todo', 'doing')
        RETURNING job.id
    )
    SELECT array_agg(id) INTO finished FROM done;
    IF delete_jobs AND finished IS NOT NULL THEN
        -- Kept (with their status) by manana_keep_needed_parents while a child still needs them.
        DELETE FROM procrastinate_jobs WHERE id = ANY (finished);
    END IF;
    RETURN QUERY SELECT unnest(finished);
END;
$$;

CREATE OR REPLACE FUNCTION manana_end_attempts(outcomes jsonb)
    RETURNS TABLE (job_id bigint, ended boolean)
    LANGUAGE plpgsql
AS $$
DECLARE
    item jsonb;
    succeeded_ids bigint[];
    succeeded_results jsonb[];
    finished bigint[];
BEGIN
    IF jsonb_typeof(outcomes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = 'manana_end_attempts takes a JSON array of outcomes';
    END IF;
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
        WHERE value->>'outcome' IS DISTINCT FROM 'succeeded'
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

-- A busy worker's one round trip: the attempts that ended, then (same transaction, so children
-- those ends made ready are among them) up to max_jobs claims. Rows: (job_id, ended, NULL) for
-- each outcome, as manana_end_attempts; (NULL, NULL, the job) for each job claimed.
CREATE FUNCTION manana_end_attempts_and_fetch(
    outcomes jsonb, target_queue_names character varying[], p_worker_id bigint, max_jobs integer
) RETURNS TABLE (job_id bigint, ended boolean, job jsonb)
    LANGUAGE plpgsql
AS $$
BEGIN
    RETURN QUERY SELECT done.job_id, done.ended, NULL::jsonb FROM manana_end_attempts(outcomes) AS done;
    IF max_jobs > 0 THEN
        RETURN QUERY SELECT NULL::bigint, NULL::boolean, to_jsonb(claimed)
        FROM manana_fetch_jobs(target_queue_names, p_worker_id, max_jobs) AS claimed;
    END IF;
END;
$$;
