-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_workflow_jobs_to_retry(p_workflow_id bigint)
 RETURNS TABLE(id bigint, task_name character varying, queue_name character varying, status procrastinate_job_status, depth integer)
 LANGUAGE plpgsql
 STABLE
AS $function$
#variable_conflict use_column
BEGIN
    IF NOT EXISTS (SELECT 1 FROM manana_workflows AS workflow WHERE workflow.id = p_workflow_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN013', MESSAGE = format('workflow %s does not exist', p_workflow_id);
    END IF;
    RETURN QUERY
    WITH RECURSIVE downstream (id, depth) AS (
        SELECT job.id, 0 FROM procrastinate_jobs AS job
        WHERE job.workflow_id = p_workflow_id AND job.status IN ('failed', 'aborted')
        UNION
        SELECT edge.job_id, downstream.depth + 1
        FROM downstream
        JOIN procrastinate_job_dependencies AS edge ON edge.depends_on_job_id = downstream.id
        JOIN procrastinate_jobs AS child ON child.id = edge.job_id
        WHERE child.spawned_by IS DISTINCT FROM downstream.id
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
