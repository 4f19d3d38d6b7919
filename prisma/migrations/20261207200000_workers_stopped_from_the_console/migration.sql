-- Workers an operator can see and stop from the console: each worker records the version of
-- Mañana it runs, and a request to stop it gracefully (finish its running jobs, put back those
-- claimed ahead, exit) is a mark on its row, which the worker reads with each heartbeat. Workers
-- of the releases before read no mark: the console says so (they have no version).
--
-- Error codes added here: MN019 worker_not_found.

ALTER TABLE procrastinate_workers ADD COLUMN version text;
ALTER TABLE procrastinate_workers ADD COLUMN stop_requested_at timestamp with time zone;
ALTER TABLE procrastinate_workers ADD COLUMN stop_requested_by text;

-- Registration takes the worker's version (workers of the release before call it with eight
-- arguments, and register without one).
DROP FUNCTION manana_register_worker(text, text, integer, character varying[], integer, jsonb, double precision, double precision);
CREATE FUNCTION manana_register_worker(
    p_name text, p_host text, p_pid integer, p_queues character varying[], p_concurrency integer, p_tasks jsonb,
    p_heartbeat_interval double precision, p_lock_grace double precision DEFAULT NULL, p_version text DEFAULT NULL
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
        lock_grace = p_lock_grace, version = p_version
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

-- Asks a worker to stop gracefully; false when it was asked already. The worker reads the mark
-- with its next heartbeat (within about a second), finishes its running jobs and exits.
CREATE FUNCTION manana_request_worker_stop(p_worker_id bigint, p_by text) RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE procrastinate_workers SET stop_requested_at = now(), stop_requested_by = p_by
    WHERE id = p_worker_id AND stop_requested_at IS NULL;
    IF FOUND THEN
        RETURN true;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM procrastinate_workers WHERE id = p_worker_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN019', MESSAGE = format('worker %s is not registered (it stopped, or was never started)', p_worker_id);
    END IF;
    RETURN false;
END;
$$;
