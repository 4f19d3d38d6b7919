-- What the console and the API need to defer as the workers' own code would: each task's lock
-- and queueing lock are announced with its queue and priority (deferring applies them as
-- defaults), and a job that becomes ready by any path wakes the workers, not only a new one.
--
-- Error codes added here: none.

ALTER TABLE manana_tasks
    ADD COLUMN lock text,
    ADD COLUMN queueing_lock text;

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
        heartbeat_interval = p_heartbeat_interval
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

-- A retried or released job (back to todo, ready) was found only by the next poll.
CREATE OR REPLACE FUNCTION manana_jobs_updated() RETURNS trigger
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
    scheduled timestamp with time zone[];
    crossed bigint[];
    deltas integer[];
    child_ids bigint[];
BEGIN
    SELECT array_agg(id ORDER BY id), array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id)
    INTO ids, statuses_before, waiting_before FROM old_jobs;
    SELECT array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id), array_agg(worker_id ORDER BY id),
           array_agg(queue_name ORDER BY id), array_agg(scheduled_at ORDER BY id)
    INTO statuses_after, waiting_after, worker_ids, queues, scheduled FROM new_jobs;

    -- Jobs that became ready, by their last parent ending or by coming back to todo (a retry,
    -- a release), wake the workers of their queue as new jobs do.
    IF waiting_before IS DISTINCT FROM waiting_after OR statuses_before IS DISTINCT FROM statuses_after THEN
        PERFORM manana_announce_ready(job.queue_name, min(job.id))
        FROM unnest(ids, statuses_before, statuses_after, waiting_before, waiting_after, queues, scheduled)
             AS job (id, status_before, status, before, after, queue_name, scheduled_at)
        WHERE job.status = 'todo' AND job.after = 0
          AND (job.before > 0 OR job.status_before <> 'todo')
          AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())
        GROUP BY job.queue_name;
    END IF;
    IF statuses_before IS NOT DISTINCT FROM statuses_after THEN
        RETURN NULL;
    END IF;

    INSERT INTO procrastinate_events (job_id, type, starting_worker_id)
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
