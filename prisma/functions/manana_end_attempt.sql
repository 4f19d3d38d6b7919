-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_end_attempt(p_job_id bigint, p_worker_id bigint, outcome text, job_result jsonb, error jsonb, retry_in double precision)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
DECLARE
    job procrastinate_jobs;
BEGIN
    SELECT * INTO job FROM procrastinate_jobs
    WHERE id = p_job_id AND status = 'doing' AND worker_id IS NOT DISTINCT FROM p_worker_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF error IS NOT NULL THEN
        INSERT INTO manana_job_errors (job_id, attempt, worker_id, message, stack)
        VALUES (p_job_id, job.attempts + 1, p_worker_id, coalesce(error->>'message', 'error'), error->>'stack')
        ON CONFLICT (job_id, attempt) DO UPDATE
        SET at = now(), worker_id = excluded.worker_id, message = excluded.message, stack = excluded.stack;
    END IF;
    IF job.claimed_ahead THEN
        UPDATE procrastinate_jobs SET claimed_ahead = false WHERE id = p_job_id;
    END IF;
    CASE outcome
        WHEN 'succeeded', 'aborted' THEN
            PERFORM manana_finish_job(p_job_id, outcome::procrastinate_job_status, job_result, false);
        WHEN 'failed' THEN
            IF retry_in IS NULL THEN
                PERFORM manana_finish_job(p_job_id, 'failed', NULL, false);
            ELSE
                PERFORM procrastinate_retry_job_v2(p_job_id, now() + make_interval(secs => retry_in), NULL, NULL, NULL);
            END IF;
        WHEN 'released' THEN
            UPDATE procrastinate_jobs SET status = 'todo', worker_id = NULL, abort_requested = false WHERE id = p_job_id;
        ELSE
            RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = format(
                'an attempt ends as succeeded, failed, aborted or released, not %s', outcome);
    END CASE;
    RETURN true;
END;
$function$;
