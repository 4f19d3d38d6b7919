-- A worker of some queues fetched through the index of every job's queue, then sorted what it
-- found, whenever the planner thought too many jobs ready: jobs waiting for a parent are 'todo'
-- too, and it takes status and parent count as unrelated (behind a backlog of 100,000 waiting
-- jobs, a fetch took 1.5-1.9 times an empty table's). An index of the ready jobs by queue, in
-- fetch order, serves it whatever the estimate. The ready jobs' index by priority stays for the
-- workers of every queue.
CREATE INDEX manana_jobs_ready_by_queue_idx ON procrastinate_jobs (queue_name, priority DESC, id)
    WHERE status = 'todo' AND unfinished_parents = 0;

CREATE OR REPLACE FUNCTION manana_fetch_jobs(target_queue_names character varying[], p_worker_id bigint, max_jobs integer, start_now integer DEFAULT NULL::integer)
 RETURNS SETOF procrastinate_jobs
 LANGUAGE plpgsql
AS $function$
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
              -- One queue, a worker's usual case, as an equality: its ready jobs are then read in
              -- order from manana_jobs_ready_by_queue_idx (a list, before PostgreSQL 17, is sorted).
              AND (target_queue_names IS NULL
                   OR (cardinality(target_queue_names) = 1 AND job.queue_name = target_queue_names[1])
                   OR (cardinality(target_queue_names) > 1 AND job.queue_name = ANY (target_queue_names)))
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
$function$;
