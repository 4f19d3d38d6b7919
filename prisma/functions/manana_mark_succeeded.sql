-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_mark_succeeded(p_job_id bigint, p_result jsonb, p_by text)
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
DECLARE
    was procrastinate_job_status;
    last_attempt integer;
    reopened bigint[];
BEGIN
    SELECT status, attempts INTO was, last_attempt FROM procrastinate_jobs WHERE id = p_job_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s does not exist', p_job_id);
    END IF;
    IF was NOT IN ('failed', 'aborted', 'cancelled') THEN
        RAISE EXCEPTION USING ERRCODE = 'MN018', MESSAGE = format(
            'job %s is %s: only a job that failed, was aborted or was cancelled can be marked succeeded', p_job_id, was);
    END IF;
    -- Terminal to terminal: no child's count of unfinished parents moves, and the jobs'
    -- trigger writes no event for it, so the event is written here.
    UPDATE procrastinate_jobs SET status = 'succeeded', result = p_result, abort_requested = false, worker_id = NULL
    WHERE id = p_job_id;
    INSERT INTO procrastinate_events (job_id, type) VALUES (p_job_id, 'succeeded');
    INSERT INTO manana_job_logs (job_id, attempt, at, level, message)
    VALUES (p_job_id, last_attempt, now(), 'warn', format('marked succeeded by %s (it had %s)', coalesce(p_by, 'someone'), was));

    SELECT array_agg(child.id ORDER BY child.id) INTO reopened
    FROM procrastinate_job_dependencies AS edge
    JOIN procrastinate_jobs AS child ON child.id = edge.job_id
    WHERE edge.depends_on_job_id = p_job_id
      AND child.status = 'cancelled' AND child.run_when = 'all_succeeded' AND child.attempts = 0
      AND NOT EXISTS (
          SELECT 1 FROM procrastinate_job_dependencies AS other
          JOIN procrastinate_jobs AS parent ON parent.id = other.depends_on_job_id
          WHERE other.job_id = child.id AND parent.status IN ('failed', 'cancelled', 'aborted'));
    IF reopened IS NOT NULL THEN
        RETURN QUERY SELECT DISTINCT retried FROM unnest(reopened) AS child (id)
                     CROSS JOIN LATERAL manana_retry_job(child.id, true) AS retried ORDER BY 1;
    END IF;
END;
$function$;
