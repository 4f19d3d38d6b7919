-- The workflows that workers' apps define (app.workflow(name, …)), announced as tasks are: the
-- console lists them with their input's JSON Schema and their last runs (workflows deferred
-- under their name).
--
-- Error codes added here: none.

CREATE TABLE manana_workflow_definitions (
    name text PRIMARY KEY,
    input_schema jsonb,
    announced_at timestamp with time zone NOT NULL DEFAULT now()
);

-- Called by a worker after it registers: [{"name": …, "input_schema": {…} or null}, …].
CREATE FUNCTION manana_announce_workflows(p_workflows jsonb) RETURNS void
    LANGUAGE sql
AS $$
    INSERT INTO manana_workflow_definitions (name, input_schema, announced_at)
    SELECT workflow->>'name', workflow->'input_schema', now()
    FROM jsonb_array_elements(coalesce(p_workflows, '[]')) AS workflow
    ORDER BY 1
    ON CONFLICT (name) DO UPDATE SET input_schema = excluded.input_schema, announced_at = excluded.announced_at
$$;
