-- A Mañana worker claims only jobs of the tasks it announced: with a TypeScript and a Python
-- worker on one queue, each took the other's jobs and failed them for good ("task … is unknown to
-- this worker"). Registration records the names; the fetch reads them by the worker's id, so every
-- caller (the fetch loop, the ends that claim, an older worker's calls) obeys the one rule. Python
-- workers register without names (null): they take whatever their queues hold, as upstream does.
-- A job whose queue has live workers but none with its task says so.
ALTER TABLE procrastinate_workers ADD COLUMN task_names character varying[];

-- Whether a worker that beat in the last `alive_seconds` takes jobs of this queue (and of this
-- task, when one is given): the one rule behind "why is this job not running?" and the console's
-- count of ready jobs nobody can run.
CREATE FUNCTION manana_has_live_worker(p_queue_name character varying, p_task_name character varying, alive_seconds double precision)
    RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM procrastinate_workers AS worker
        WHERE worker.last_heartbeat > now() - make_interval(secs => alive_seconds)
          AND (worker.queues IS NULL OR p_queue_name = ANY (worker.queues))
          AND (p_task_name IS NULL OR worker.task_names IS NULL OR p_task_name = ANY (worker.task_names)))
$$;

CREATE OR REPLACE FUNCTION manana_register_worker(
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
        heartbeat_interval = p_heartbeat_interval,
        task_names = ARRAY(SELECT task->>'name' FROM jsonb_array_elements(coalesce(p_tasks, '[]')) AS task)
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

CREATE OR REPLACE FUNCTION manana_fetch_jobs(
    target_queue_names character varying[], p_worker_id bigint, max_jobs integer, start_now integer DEFAULT NULL
) RETURNS SETOF procrastinate_jobs
    LANGUAGE plpgsql
AS $$
DECLARE
    candidates bigint[];
    claimed procrastinate_jobs[];
    paused character varying[] := ARRAY(SELECT queue_name FROM manana_paused_queues);
    -- The tasks its worker announced (null for a Python worker: it takes whatever its queues hold).
    tasks character varying[] := (SELECT worker.task_names FROM procrastinate_workers AS worker WHERE worker.id = p_worker_id);
BEGIN
    BEGIN
        SELECT array_agg(candidate.id ORDER BY candidate.priority DESC, candidate.id) INTO candidates
        FROM (
            SELECT job.id, job.priority
            FROM procrastinate_jobs AS job
            WHERE job.status = 'todo'
              AND job.unfinished_parents = 0
              AND (target_queue_names IS NULL OR job.queue_name = ANY (target_queue_names))
              AND (cardinality(paused) = 0 OR job.queue_name <> ALL (paused))
              AND (tasks IS NULL OR job.task_name = ANY (tasks))
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

CREATE OR REPLACE FUNCTION manana_explain_job(p_job_id bigint, worker_alive_seconds double precision DEFAULT 30)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    job procrastinate_jobs;
    reasons jsonb := '[]';
    blocker record;
BEGIN
    SELECT * INTO job FROM procrastinate_jobs WHERE id = p_job_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s does not exist', p_job_id);
    END IF;
    IF job.status = 'doing' THEN
        RETURN jsonb_build_object('status', job.status, 'reasons',
            jsonb_build_array(jsonb_build_object('kind', 'running', 'worker_id', job.worker_id, 'abort_requested', job.abort_requested)));
    ELSIF job.status = 'cancelled' AND job.run_when IS NOT NULL THEN
        SELECT log.message INTO blocker FROM manana_job_logs AS log
        WHERE log.job_id = job.id AND log.attempt = 0 AND log.message LIKE 'cancelled by its rule%'
        ORDER BY log.id DESC LIMIT 1;
        IF FOUND THEN
            RETURN jsonb_build_object('status', job.status, 'reasons',
                jsonb_build_array(jsonb_build_object('kind', 'cancelled_by_rule', 'rule', job.run_when, 'message', blocker.message)));
        END IF;
        RETURN jsonb_build_object('status', job.status, 'reasons', jsonb_build_array(jsonb_build_object('kind', 'finished')));
    ELSIF job.status <> 'todo' THEN
        RETURN jsonb_build_object('status', job.status, 'reasons', jsonb_build_array(jsonb_build_object('kind', 'finished')));
    END IF;

    IF job.unfinished_parents > 0 THEN
        reasons := reasons || jsonb_build_object('kind', 'waiting_on_parents', 'parents', (
            SELECT jsonb_agg(jsonb_build_object('id', parent.id, 'task', parent.task_name, 'status', parent.status) ORDER BY parent.id)
            FROM procrastinate_job_dependencies AS edge
            JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
            WHERE edge.job_id = job.id AND NOT manana_is_terminal(parent.status)));
    END IF;
    IF job.scheduled_at > now() THEN
        reasons := reasons || jsonb_build_object('kind', 'scheduled', 'at', job.scheduled_at);
    END IF;
    IF job.lock IS NOT NULL AND job.unfinished_parents = 0 THEN
        SELECT other.id, other.status INTO blocker
        FROM procrastinate_jobs AS other
        WHERE other.lock = job.lock AND other.status IN ('todo', 'doing') AND other.id <> job.id
          AND (other.status = 'doing'
               OR (other.unfinished_parents = 0
                   AND (other.scheduled_at IS NULL OR other.scheduled_at <= now())
                   AND (other.priority > job.priority OR (other.priority = job.priority AND other.id < job.id))))
        ORDER BY other.status = 'doing' DESC, other.priority DESC, other.id
        LIMIT 1;
        IF FOUND THEN
            reasons := reasons || jsonb_build_object('kind', 'lock_taken', 'lock', job.lock, 'job_id', blocker.id, 'job_status', blocker.status);
        END IF;
    END IF;
    SELECT queue.paused_at, queue.paused_by INTO blocker FROM manana_paused_queues AS queue WHERE queue.queue_name = job.queue_name;
    IF FOUND THEN
        reasons := reasons || jsonb_build_object('kind', 'queue_paused', 'queue', job.queue_name, 'since', blocker.paused_at, 'by', blocker.paused_by);
    END IF;
    IF NOT manana_has_live_worker(job.queue_name, NULL, worker_alive_seconds) THEN
        reasons := reasons || jsonb_build_object('kind', 'no_worker', 'queue', job.queue_name);
    ELSIF NOT manana_has_live_worker(job.queue_name, job.task_name, worker_alive_seconds) THEN
        reasons := reasons || jsonb_build_object('kind', 'no_worker_with_task', 'queue', job.queue_name, 'task', job.task_name);
    END IF;
    IF reasons = '[]' THEN
        reasons := jsonb_build_array(jsonb_build_object('kind', 'ready'));
    END IF;
    IF job.run_when IN ('all_succeeded', 'any_failed') THEN
        reasons := reasons || jsonb_build_object('kind', 'rule', 'rule', job.run_when);
    END IF;
    RETURN jsonb_build_object('status', job.status, 'reasons', reasons);
END;
$$;
