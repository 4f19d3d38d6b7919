-- A workflow can be named when it is deferred (default: its first job's key, or its task).
--
-- Error codes added here: none (a name over 200 characters is MN001, invalid_job).

-- manana_defer_jobs, naming the workflow the call makes. A call whose jobs join an existing
-- workflow (they depend on its jobs) keeps that workflow's name; a call without dependencies
-- makes no workflow, and the name goes nowhere.
CREATE FUNCTION manana_defer_jobs(jobs jsonb, workflow_name text) RETURNS TABLE (key text, id bigint)
    LANGUAGE plpgsql
AS $$
DECLARE
    keys text[];
    ids bigint[];
BEGIN
    IF length(workflow_name) > 200 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'a workflow name has at most 200 characters';
    END IF;
    SELECT array_agg(deferred.key ORDER BY deferred.ord), array_agg(deferred.id ORDER BY deferred.ord) INTO keys, ids
    FROM manana_defer_jobs(jobs) WITH ORDINALITY AS deferred (key, id, ord);
    IF workflow_name IS NOT NULL THEN
        -- Made by this call: created in this transaction (now() is its start).
        UPDATE manana_workflows AS workflow SET name = workflow_name
        FROM procrastinate_jobs AS job
        WHERE job.id = ids[1] AND workflow.id = job.workflow_id AND workflow.created_at = now();
    END IF;
    RETURN QUERY SELECT * FROM unnest(keys, ids);
END;
$$;

-- The workflows list filters by name.
CREATE INDEX manana_workflows_name_idx ON manana_workflows (name text_pattern_ops, id);
