-- The Tasks page: runs, failures and run times of each task over the last hour and day, kept
-- as they happen so that reading them costs about the same at a million jobs as at ten.
--
-- Each attempt that ends (a doing job finished, or sent back to todo for a retry: its attempts
-- counter moves) adds one to a row of manana_task_runs keyed by minute, task, the backend that
-- recorded it and the class of its run time. A backend only ever writes its own rows, so two
-- transactions counting never wait for each other nor deadlock on these rows. Minutes older
-- than the last two hours are merged into one row per hour, task and class (backend 0), and
-- what is older than eight days is forgotten, by whichever backend counts a new row while no
-- other is merging. Run time classes are half powers of two of milliseconds (class c ≥ 1 holds
-- [2^((c-1)/2), 2^(c/2)) ms, class 0 under 1 ms, the last one everything from about 3.3 hours),
-- so percentiles read from them are within 19% of the truth.
--
-- Error codes added here: none.

CREATE TABLE manana_task_runs (
    -- The minute; for merged rows (backend 0), the hour.
    minute timestamp with time zone NOT NULL,
    task_name character varying(128) NOT NULL,
    backend integer NOT NULL,
    duration_class smallint NOT NULL,
    runs integer NOT NULL,
    failures integer NOT NULL,
    PRIMARY KEY (minute, task_name, backend, duration_class)
);

CREATE FUNCTION manana_duration_class(run_time interval) RETURNS smallint
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN run_time IS NULL OR run_time < interval '1 millisecond' THEN 0
                ELSE least(48, floor(2 * log(2, extract(epoch FROM run_time) * 1000)) + 1) END::smallint
$$;

-- Merges minutes older than the last two hours into hours, forgets what is older than eight
-- days; does nothing while another transaction does it.
CREATE FUNCTION manana_compact_task_runs() RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('manana task runs ' || current_schema())) THEN
        RETURN;
    END IF;
    DELETE FROM manana_task_runs WHERE minute < now() - interval '8 days';
    WITH merged AS (
        DELETE FROM manana_task_runs
        WHERE backend <> 0 AND minute < date_trunc('hour', now()) - interval '1 hour'
        RETURNING *
    )
    INSERT INTO manana_task_runs AS stat (minute, task_name, backend, duration_class, runs, failures)
    SELECT date_trunc('hour', minute), task_name, 0, duration_class, sum(runs), sum(failures)
    FROM merged GROUP BY 1, 2, 4
    ON CONFLICT (minute, task_name, backend, duration_class) DO UPDATE
    SET runs = stat.runs + excluded.runs, failures = stat.failures + excluded.failures;
END;
$$;

-- Counts the attempts among these changed jobs that ended: they left doing and their attempts
-- counter moved (a finish, a failure, a retry; not a release, nor a job put back to todo
-- unstarted). Failed: ended failed, or went back to todo to be retried. Run time: from the
-- attempt's 'started' event to now.
CREATE FUNCTION manana_count_task_runs(
    ids bigint[], statuses_before procrastinate_job_status[], statuses_after procrastinate_job_status[],
    attempts_before integer[], attempts_after integer[], task_names text[]
) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    made_a_row boolean;
BEGIN
    WITH ended AS (
        SELECT change.id, change.task_name, change.after IN ('failed', 'todo') AS failed
        FROM unnest(ids, statuses_before, statuses_after, attempts_before, attempts_after, task_names)
             AS change (id, before, after, attempts_before, attempts_after, task_name)
        WHERE change.before = 'doing' AND change.attempts_after > change.attempts_before
    ), counted AS (
        INSERT INTO manana_task_runs AS stat (minute, task_name, backend, duration_class, runs, failures)
        SELECT date_trunc('minute', now()), ended.task_name, pg_backend_pid(),
               manana_duration_class(now() - (SELECT max(event.at) FROM procrastinate_events AS event
                                              WHERE event.job_id = ended.id AND event.type = 'started')) AS duration_class,
               count(*), count(*) FILTER (WHERE ended.failed)
        FROM ended
        GROUP BY 2, 4
        ORDER BY 2, 4
        ON CONFLICT (minute, task_name, backend, duration_class) DO UPDATE
        SET runs = stat.runs + excluded.runs, failures = stat.failures + excluded.failures
        RETURNING xmax = 0 AS inserted
    )
    SELECT bool_or(inserted) INTO made_a_row FROM counted;
    -- A few times a minute at most.
    IF made_a_row THEN
        PERFORM manana_compact_task_runs();
    END IF;
END;
$$;

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
    attempts_before integer[];
    attempts_after integer[];
    task_names text[];
BEGIN
    SELECT array_agg(id ORDER BY id), array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id),
           array_agg(attempts ORDER BY id)
    INTO ids, statuses_before, waiting_before, attempts_before FROM old_jobs;
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
        UPDATE procrastinate_jobs AS child
        SET unfinished_parents = child.unfinished_parents + moved.delta
        FROM unnest(child_ids, deltas) AS moved (id, delta)
        WHERE child.id = moved.id;
    END IF;
    RETURN NULL;
END;
$$;

-- The Tasks page shows each task's latest failures, found among the newest errors.
CREATE INDEX manana_job_errors_at_idx ON manana_job_errors (at);
