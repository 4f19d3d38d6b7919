-- A workflow's outcome, in one place: the Workflows page lists and filters by it. And its
-- failures run again: its failed and aborted jobs, and every finished job downstream of them,
-- back to todo in one statement (previewed first, as a job's retry is).
--
-- Error codes added here: MN013 workflow_not_found.

-- Running while a job is unfinished; then failed if one failed or was aborted, cancelled if one
-- was cancelled, else succeeded. Each answer is an index probe of the jobs' (workflow, status).
CREATE FUNCTION manana_workflow_status(p_workflow_id bigint) RETURNS text
    LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM procrastinate_jobs WHERE workflow_id = p_workflow_id AND status IN ('todo', 'doing', 'aborting')) THEN 'running'
        WHEN EXISTS (SELECT 1 FROM procrastinate_jobs WHERE workflow_id = p_workflow_id AND status IN ('failed', 'aborted')) THEN 'failed'
        WHEN EXISTS (SELECT 1 FROM procrastinate_jobs WHERE workflow_id = p_workflow_id AND status = 'cancelled') THEN 'cancelled'
        ELSE 'succeeded'
    END
$$;

-- Replaces the index of the jobs by workflow (same rows, one more column).
CREATE INDEX manana_jobs_workflow_status_idx ON procrastinate_jobs (workflow_id, status) WHERE workflow_id IS NOT NULL;
DROP INDEX manana_jobs_workflow_idx;

-- What manana_retry_workflow would return to todo, nearest the failures first. Changes nothing.
CREATE FUNCTION manana_workflow_jobs_to_retry(p_workflow_id bigint)
    RETURNS TABLE (id bigint, task_name character varying, queue_name character varying,
                   status procrastinate_job_status, depth integer)
    LANGUAGE plpgsql STABLE
AS $$
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
    ), nearest AS (
        SELECT downstream.id, min(downstream.depth) AS depth FROM downstream GROUP BY downstream.id
    )
    SELECT job.id, job.task_name, job.queue_name, job.status, nearest.depth
    FROM nearest
    JOIN procrastinate_jobs AS job ON job.id = nearest.id
    WHERE manana_is_terminal(job.status)
    ORDER BY nearest.depth, job.id;
END;
$$;

-- Returns them to todo (they run again in dependency order); returns the ids it reset.
CREATE FUNCTION manana_retry_workflow(p_workflow_id bigint) RETURNS SETOF bigint
    LANGUAGE sql
AS $$
    UPDATE procrastinate_jobs AS job
    SET status = 'todo', scheduled_at = NULL, abort_requested = false, worker_id = NULL, result = NULL
    FROM manana_workflow_jobs_to_retry(p_workflow_id) AS target
    WHERE job.id = target.id AND manana_is_terminal(job.status)
    RETURNING job.id
$$;
