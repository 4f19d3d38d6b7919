-- Queues an operator can pause: no worker starts a job from a paused queue, Python workers
-- included (the rule is in the fetch, which procrastinate_fetch_job_v2 calls). Jobs are still
-- deferred into it and those already running go on; resuming wakes the workers of the queue.
-- A paused queue's ready job still ranks in its lock group.
--
-- Error codes added here: none.

CREATE TABLE manana_paused_queues (
    queue_name character varying(128) PRIMARY KEY,
    paused_at timestamp with time zone NOT NULL DEFAULT now(),
    paused_by text
);

-- True when it pauses the queue, false when it was paused already.
CREATE FUNCTION manana_pause_queue(p_queue_name character varying, p_by text) RETURNS boolean
    LANGUAGE sql
AS $$
    WITH paused AS (
        INSERT INTO manana_paused_queues (queue_name, paused_by) VALUES (p_queue_name, p_by)
        ON CONFLICT (queue_name) DO NOTHING
        RETURNING true
    )
    SELECT EXISTS (SELECT 1 FROM paused)
$$;

-- True when it resumes the queue (and wakes its workers), false when it was not paused.
CREATE FUNCTION manana_resume_queue(p_queue_name character varying) RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM manana_paused_queues WHERE queue_name = p_queue_name;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM manana_announce_ready(p_queue_name, NULL);
    RETURN true;
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

-- "Why is this job not running?" says when its queue is paused, since when and by whom.
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
    IF NOT EXISTS (SELECT 1 FROM procrastinate_workers AS worker
                   WHERE worker.last_heartbeat > now() - make_interval(secs => worker_alive_seconds)
                     AND (worker.queues IS NULL OR job.queue_name = ANY (worker.queues))) THEN
        reasons := reasons || jsonb_build_object('kind', 'no_worker', 'queue', job.queue_name);
    END IF;
    IF reasons = '[]' THEN
        reasons := jsonb_build_array(jsonb_build_object('kind', 'ready'));
    END IF;
    RETURN jsonb_build_object('status', job.status, 'reasons', reasons);
END;
$$;
