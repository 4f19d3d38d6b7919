-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_add_pending_spawns(p_job_id bigint, jobs jsonb)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    job procrastinate_jobs;
    spawning integer;
BEGIN
    IF jsonb_typeof(jobs) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'the spawned jobs must be a JSON array';
    END IF;
    SELECT * INTO job FROM procrastinate_jobs WHERE id = p_job_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s not found', p_job_id);
    END IF;
    IF job.status <> 'doing' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = format('job %s is %s: only a running job spawns jobs', p_job_id, job.status);
    END IF;
    INSERT INTO manana_pending_spawns AS pending (job_id, attempt, jobs) VALUES (p_job_id, job.attempts, jobs)
    ON CONFLICT (job_id) DO UPDATE
    SET jobs = CASE WHEN pending.attempt = EXCLUDED.attempt THEN pending.jobs || EXCLUDED.jobs ELSE EXCLUDED.jobs END,
        attempt = EXCLUDED.attempt
    RETURNING jsonb_array_length(pending.jobs) INTO spawning;
    -- Too many is said now, to the task (its attempt fails as any other failure); the end checks again.
    PERFORM manana_check_workflow_room(p_job_id, job.workflow_id, spawning);
END;
$function$;
