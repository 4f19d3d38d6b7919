-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_jobs_to_retry(p_job_id bigint, with_downstream boolean)
 RETURNS TABLE(id bigint, task_name character varying, queue_name character varying, status procrastinate_job_status, depth integer)
 LANGUAGE plpgsql
 STABLE
AS $function$
#variable_conflict use_column
BEGIN
    IF NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS job WHERE job.id = p_job_id AND manana_is_terminal(job.status)) THEN
        PERFORM manana_raise_job_status(p_job_id, 'MN008', 'only finished jobs can be retried');
    END IF;
    RETURN QUERY
    WITH RECURSIVE downstream (id, depth) AS (
        SELECT p_job_id, 0
        UNION
        SELECT edge.job_id, downstream.depth + 1
        FROM downstream
        JOIN procrastinate_job_dependencies AS edge ON edge.depends_on_job_id = downstream.id
        JOIN procrastinate_jobs AS child ON child.id = edge.job_id
        -- What a job run again spawned is deleted, not run again: its new run spawns afresh.
        WHERE with_downstream AND child.spawned_by IS DISTINCT FROM downstream.id
    ), nearest AS (
        SELECT downstream.id, min(downstream.depth) AS depth FROM downstream GROUP BY downstream.id
    )
    SELECT job.id, job.task_name, job.queue_name, job.status, nearest.depth
    FROM nearest
    JOIN procrastinate_jobs AS job ON job.id = nearest.id
    WHERE manana_is_terminal(job.status)
    ORDER BY nearest.depth, job.id;
END;
$function$;
