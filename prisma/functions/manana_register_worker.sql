-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_register_worker(p_name text, p_host text, p_pid integer, p_queues character varying[], p_concurrency integer, p_tasks jsonb, p_heartbeat_interval double precision, p_lock_grace double precision DEFAULT NULL::double precision, p_version text DEFAULT NULL::text)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
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
$function$;
