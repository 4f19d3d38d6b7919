-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_explain_job(p_job_id bigint, worker_alive_seconds double precision DEFAULT 30)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
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
        -- Parents spawned together (keys key[0], key[1], …: a map step's items) are counted by
        -- their key, the others named.
        reasons := reasons || (
            WITH parent AS MATERIALIZED (
                SELECT parent.id, parent.task_name, parent.status, NOT manana_is_terminal(parent.status) AS waiting,
                       substring(parent.step_key FROM '^(.*)\[\d+\]$') AS spawned_as
                FROM procrastinate_job_dependencies AS edge
                JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
                WHERE edge.job_id = job.id
            )
            SELECT jsonb_build_object(
                'kind', 'waiting_on_parents',
                'parents', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'task', task_name, 'status', status) ORDER BY id), '[]')
                            FROM parent WHERE waiting AND spawned_as IS NULL),
                'spawned', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', spawned_as, 'waiting', waiting, 'of', total) ORDER BY spawned_as), '[]')
                            FROM (SELECT spawned_as, count(*) FILTER (WHERE waiting) AS waiting, count(*) AS total
                                  FROM parent WHERE spawned_as IS NOT NULL GROUP BY spawned_as) AS item
                            WHERE item.waiting > 0)));
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
    SELECT queue.paused_at, queue.paused_by, queue.reason INTO blocker FROM manana_paused_queues AS queue WHERE queue.queue_name = job.queue_name;
    IF FOUND THEN
        reasons := reasons || jsonb_build_object('kind', 'queue_paused', 'queue', job.queue_name, 'since', blocker.paused_at, 'by', blocker.paused_by, 'reason', blocker.reason);
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
$function$;
