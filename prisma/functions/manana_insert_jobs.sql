-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_insert_jobs(jobs procrastinate_job_to_defer_v1[], unfinished_parents integer[], workflow bigint)
 RETURNS bigint[]
 LANGUAGE sql
AS $function$ SELECT manana_insert_jobs(jobs, unfinished_parents, workflow, NULL) $function$;

CREATE OR REPLACE FUNCTION public.manana_insert_jobs(jobs procrastinate_job_to_defer_v1[], unfinished_parents integer[], workflow bigint, step_keys text[])
 RETURNS bigint[]
 LANGUAGE plpgsql
AS $function$
DECLARE
    job_ids bigint[];
BEGIN
    job_ids := ARRAY(
        SELECT nextval('procrastinate_jobs_id_seq'::regclass)
        FROM generate_series(1, coalesce(cardinality(jobs), 0)));
    INSERT INTO procrastinate_jobs (id, queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at,
                                    unfinished_parents, workflow_id, step_key)
    SELECT job_ids[job.ord], job.queue_name, job.task_name, coalesce(job.priority, 0), job.lock,
           job.queueing_lock, coalesce(job.args, '{}'), job.scheduled_at, coalesce(unfinished_parents[job.ord], 0), workflow,
           step_keys[job.ord]
    FROM unnest(jobs) WITH ORDINALITY AS job (queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at, ord)
    ORDER BY job.ord;
    RETURN job_ids;
END;
$function$;
