-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_spawn_jobs(p_parent_id bigint, jobs jsonb)
 RETURNS SETOF bigint
 LANGUAGE plpgsql
AS $function$
DECLARE
    parent procrastinate_jobs;
    workflow bigint;
    spawned bigint[];
    bad record;
BEGIN
    IF jsonb_typeof(jobs) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'the spawned jobs must be a JSON array';
    END IF;
    IF jsonb_array_length(jobs) = 0 THEN
        RETURN;
    END IF;
    IF jsonb_path_exists(jobs, '$[*].depends_on') THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'a spawned job depends on the job that spawned it, and on nothing else';
    END IF;
    SELECT * INTO parent FROM procrastinate_jobs WHERE id = p_parent_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s not found', p_parent_id);
    END IF;
    IF parent.status <> 'doing' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = format('job %s is %s: only a running job spawns jobs', p_parent_id, parent.status);
    END IF;
    workflow := parent.workflow_id;
    IF workflow IS NULL THEN
        INSERT INTO manana_workflows (name, root_task_name) VALUES (coalesce(parent.step_key, parent.task_name), parent.task_name)
        RETURNING id INTO workflow;
        UPDATE procrastinate_jobs SET workflow_id = workflow WHERE id = p_parent_id;
    END IF;
    PERFORM manana_check_workflow_room(p_parent_id, workflow, jsonb_array_length(jobs));
    -- A job given `items_of` (spawnMany's key) is the next item of that key: items_of[0], [1], …
    -- counted over the whole call, so a task's several spawnMany calls under one key go on counting.
    SELECT node.value->>'key' INTO bad FROM jsonb_array_elements(jobs) AS node (value)
    WHERE node.value ? 'items_of' AND (node.value ? 'key' OR jsonb_typeof(node.value->'items_of') <> 'string' OR node.value->>'items_of' = '')
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'a spawned job takes either a key or items_of, a non-empty string';
    END IF;
    SELECT array_agg(deferred.id ORDER BY deferred.ord) INTO spawned
    FROM manana_defer_jobs_into(
        (SELECT jsonb_agg(numbered.value || jsonb_build_object('depends_on', jsonb_build_array(p_parent_id)) ORDER BY numbered.ord)
         FROM (
             SELECT node.ord,
                    CASE WHEN node.value ? 'items_of'
                         THEN (node.value - 'items_of') || jsonb_build_object('key', format('%s[%s]', node.value->>'items_of',
                                  row_number() OVER (PARTITION BY node.value->>'items_of' ORDER BY node.ord) - 1))
                         ELSE node.value END AS value
             FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
         ) AS numbered),
        workflow) WITH ORDINALITY AS deferred (key, id, ord);
    UPDATE procrastinate_jobs SET spawned_by = p_parent_id WHERE id = ANY (spawned);
    -- The spawner's dependents that still wait wait for these too.
    INSERT INTO procrastinate_job_dependencies (job_id, depends_on_job_id)
    SELECT dependent.id, child.id
    FROM procrastinate_job_dependencies AS edge
    JOIN procrastinate_jobs AS dependent ON dependent.id = edge.job_id
    CROSS JOIN unnest(spawned) AS child (id)
    WHERE edge.depends_on_job_id = p_parent_id AND dependent.status = 'todo' AND edge.job_id <> ALL (spawned);
    RETURN QUERY SELECT unnest(spawned);
END;
$function$;
