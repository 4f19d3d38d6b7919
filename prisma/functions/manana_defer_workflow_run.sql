-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_defer_workflow_run(p_name text, p_input jsonb, p_jobs jsonb)
 RETURNS TABLE(workflow_id bigint, key text, id bigint)
 LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
DECLARE
    workflow bigint;
BEGIN
    IF p_name IS NULL OR length(p_name) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'a workflow name has 1 to 200 characters';
    END IF;
    IF jsonb_typeof(p_input) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN002', MESSAGE = 'a workflow''s input must be a JSON object';
    END IF;
    INSERT INTO manana_workflows (name, root_task_name, input)
    VALUES (p_name, coalesce(p_jobs->0->>'task_name', ''), p_input)
    RETURNING manana_workflows.id INTO workflow;
    RETURN QUERY SELECT workflow, deferred.key, deferred.id FROM manana_defer_jobs_into(p_jobs, workflow) AS deferred;
END;
$function$;
