-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_jobs_updated()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
    attempts_before integer[];
    attempts_after integer[];
    task_names text[];
    ruled bigint[];
BEGIN
    SELECT array_agg(id ORDER BY id), array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id),
           array_agg(attempts ORDER BY id)
    INTO ids, statuses_before, waiting_before, attempts_before FROM old_jobs;
    IF ids IS NULL THEN
        RETURN NULL; -- the statement changed no row
    END IF;
    SELECT array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id), array_agg(worker_id ORDER BY id),
           array_agg(queue_name ORDER BY id), array_agg(scheduled_at ORDER BY id), array_agg(attempts ORDER BY id),
           array_agg(task_name ORDER BY id)
    INTO statuses_after, waiting_after, worker_ids, queues, scheduled, attempts_after, task_names FROM new_jobs;

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

    -- Attempts end only where jobs leave doing (not on the claims, the commonest change).
    IF 'doing' = ANY (statuses_before) THEN
        PERFORM manana_count_task_runs(ids, statuses_before, statuses_after, attempts_before, attempts_after, task_names);
    END IF;

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
        WITH counted AS (
            UPDATE procrastinate_jobs AS child
            SET unfinished_parents = child.unfinished_parents + moved.delta
            FROM unnest(child_ids, deltas) AS moved (id, delta)
            WHERE child.id = moved.id
            RETURNING child.id, child.run_when
        )
        SELECT array_agg(counted.id) INTO ruled FROM counted WHERE counted.run_when IS NOT NULL;
        -- Children with a rule of their own: it may cancel them now that a parent has ended.
        IF ruled IS NOT NULL THEN
            PERFORM manana_apply_run_when(ruled);
        END IF;
    END IF;
    RETURN NULL;
END;
$function$;
