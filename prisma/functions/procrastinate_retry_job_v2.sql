-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_retry_job_v2(job_id bigint, retry_at timestamp with time zone, new_priority integer, new_queue_name character varying, new_lock character varying)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    UPDATE procrastinate_jobs AS job
    SET status = CASE WHEN job.status = 'doing' AND job.abort_requested THEN 'failed' ELSE 'todo' END::procrastinate_job_status,
        attempts = job.attempts + 1,
        scheduled_at = CASE WHEN job.status = 'doing' AND job.abort_requested THEN job.scheduled_at ELSE retry_at END,
        abort_requested = job.status = 'doing' AND job.abort_requested,
        priority = coalesce(new_priority, job.priority),
        queue_name = coalesce(new_queue_name, job.queue_name),
        lock = coalesce(new_lock, job.lock),
        worker_id = NULL
    WHERE job.id = $1 AND job.status IN ('doing', 'failed');
    IF NOT FOUND THEN
        PERFORM manana_raise_job_status($1, 'MN008', 'only doing or failed jobs can be retried this way');
    END IF;
END;
$function$;
