-- What the console needs from the database: a notification when jobs change, and an answer
-- to "why is this job not running?".

-- One notification per transaction that wrote events (identical payloads are folded into one),
-- on a channel of the console's: each console server LISTENs and reads the new events.
CREATE FUNCTION manana_notify_console() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('manana_console', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER manana_notify_console
    AFTER INSERT ON procrastinate_events
    FOR EACH STATEMENT EXECUTE FUNCTION manana_notify_console();

-- Why a job is (not) running, as facts the console turns into a sentence:
--   {"status": …, "reasons": [{"kind": "waiting_on_parents", "parents": [{id, task, status}…]},
--     {"kind": "scheduled", "at": …}, {"kind": "lock_taken", "lock": …, "job_id": …, "job_status": …},
--     {"kind": "no_worker", "queue": …}, {"kind": "ready"}, {"kind": "running", "worker_id": …},
--     {"kind": "finished"}]}
-- The lock reason mirrors manana_fetch_jobs' lock rule (a test checks that they agree).
CREATE FUNCTION manana_explain_job(p_job_id bigint, worker_alive_seconds double precision DEFAULT 30)
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

-- The console's charts read the last hour of events; a BRIN index fits an append-only log.
CREATE INDEX manana_events_at_brin ON procrastinate_events USING brin (at);
