-- Events say when each change happened: the clock's time, not the start of the transaction
-- that made it (a transaction that waited on locks wrote a child's 'started' before its
-- parent's 'succeeded').
ALTER TABLE procrastinate_events ALTER COLUMN at SET DEFAULT clock_timestamp();

-- Mañana's worker column on events was named like the job's: upstream Procrastinate's
-- stalled-jobs query, which joins the two and names worker_id unqualified, failed with
-- "column reference is ambiguous". The status trigger writes it under its new name.
ALTER TABLE procrastinate_events RENAME COLUMN worker_id TO starting_worker_id;

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
