-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_defer_jobs_into(jobs jsonb, p_workflow_id bigint)
 RETURNS TABLE(key text, id bigint)
 LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
DECLARE
    n integer;
    bad record;
    missing text;
    child_nodes integer[];
    parent_nodes integer[];
    cycle integer[];
    job_ids bigint[];
    workflow bigint;
    has_edges boolean;
BEGIN
    -- (key and id, the output columns, are never read here: names in queries are columns.)
    IF jsonb_typeof(jobs) IS DISTINCT FROM 'array' OR jsonb_array_length(jobs) = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'expected a non-empty JSON array of jobs';
    END IF;
    n := jsonb_array_length(jobs);

    WITH checked AS MATERIALIZED (
        SELECT node.ord, coalesce(node.value->>'key', '#' || node.ord) AS label, manana_job_node_problem(node.value) AS problem
        FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
    )
    SELECT * INTO bad FROM checked WHERE checked.problem IS NOT NULL ORDER BY checked.ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = format('job %s: %s', bad.label, bad.problem);
    END IF;

    SELECT coalesce(node.value->>'key', '#' || node.ord) AS label INTO bad
    FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
    WHERE jsonb_typeof(node.value->'args') NOT IN ('object', 'null')
    ORDER BY node.ord LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN002',
            MESSAGE = format('job %s: args must be a JSON object of keyword arguments', bad.label);
    END IF;

    SELECT node.value->>'key' AS label INTO bad
    FROM jsonb_array_elements(jobs) AS node (value)
    WHERE node.value ? 'key'
    GROUP BY node.value->>'key' HAVING count(*) > 1 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN003', MESSAGE = format('key %s is used by more than one job', bad.label);
    END IF;

    -- A call without dependencies (a batch of jobs) skips what only edges need.
    has_edges := jsonb_path_exists(jobs, '$[*].depends_on[0]');

    -- Parents named by key: they must be jobs of this call.
    IF has_edges THEN
        WITH nodes AS (
            SELECT node.ord::integer AS ord, node.value FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
        ), key_refs AS (
            SELECT child.ord AS child, parent.ord AS parent, ref #>> '{}' AS ref_key, child.value->>'key' AS child_key, child.ord AS child_ord
            FROM nodes AS child
            CROSS JOIN jsonb_array_elements(coalesce(child.value->'depends_on', '[]')) AS ref
            LEFT JOIN nodes AS parent ON parent.value->>'key' = ref #>> '{}'
            WHERE jsonb_typeof(ref) = 'string'
        ), unknown_key AS (
            SELECT format('job %s depends on key %s, which no job in this call has',
                          coalesce(child_key, '#' || child_ord), ref_key) AS message
            FROM key_refs WHERE parent IS NULL ORDER BY child_ord LIMIT 1
        )
        SELECT (SELECT message FROM unknown_key),
               array_agg(child) FILTER (WHERE parent IS NOT NULL),
               array_agg(parent) FILTER (WHERE parent IS NOT NULL)
        INTO missing, child_nodes, parent_nodes
        FROM key_refs;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'MN005', MESSAGE = missing;
        END IF;

        -- Parents named by key cannot form a cycle if each comes before its children; only when
        -- one does not is the whole graph checked.
        IF EXISTS (SELECT 1 FROM unnest(child_nodes, parent_nodes) AS e (child, parent) WHERE e.parent >= e.child) THEN
            cycle := manana_nodes_on_cycles(n, child_nodes, parent_nodes);
            IF cardinality(cycle) > 0 THEN
                RAISE EXCEPTION USING ERRCODE = 'MN006', MESSAGE = format(
                    'jobs %s depend on each other in a cycle (or on a job in one)',
                    (SELECT string_agg(coalesce(jobs->(c - 1)->>'key', '#' || c), ', ') FROM unnest(cycle[1:10]) AS c));
            END IF;
        END IF;

        -- Parents named by id must exist. They are locked in share mode by the edge trigger below.
        SELECT string_agg(DISTINCT ref #>> '{}', ', ') INTO missing
        FROM jsonb_array_elements(jobs) AS node (value)
        CROSS JOIN jsonb_array_elements(coalesce(node.value->'depends_on', '[]')) AS ref
        WHERE jsonb_typeof(ref) = 'number'
          AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS parent WHERE parent.id = manana_json_number(ref)::bigint);
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'MN004', MESSAGE = format('parent job(s) %s do not exist', missing);
        END IF;
    END IF;

    -- Each job's unfinished parents, counted high: all its parents, here (all todo) and existing
    -- (some may have ended). The edge trigger recounts under lock, which lowers the count of a
    -- job with ended parents and sees a parent finishing meanwhile.
    -- Jobs go into p_workflow_id when it is given; else jobs deferred with dependencies form a
    -- workflow, or join the one of their existing parents.
    workflow := p_workflow_id;
    IF workflow IS NULL AND has_edges THEN
        SELECT min(parent.workflow_id) INTO workflow
        FROM jsonb_array_elements(jobs) AS node (value)
        CROSS JOIN jsonb_array_elements(coalesce(node.value->'depends_on', '[]')) AS ref
        JOIN procrastinate_jobs AS parent ON parent.id = manana_json_number(ref)::bigint;
        IF workflow IS NULL THEN
            INSERT INTO manana_workflows (name, root_task_name)
            VALUES (coalesce(jobs->0->>'key', jobs->0->>'task_name'), jobs->0->>'task_name')
            RETURNING manana_workflows.id INTO workflow;
        END IF;
    END IF;

    job_ids := manana_insert_jobs(ARRAY(
        SELECT ROW(
            coalesce(node.value->>'queue_name', announced.queue_name, 'default'),
            node.value->>'task_name',
            coalesce(manana_json_number(node.value->'priority')::integer, announced.priority, 0),
            CASE WHEN node.value ? 'lock' THEN node.value->>'lock' ELSE announced.lock END,
            CASE WHEN node.value ? 'queueing_lock' THEN node.value->>'queueing_lock' ELSE announced.queueing_lock END,
            coalesce(nullif(node.value->'args', 'null'), '{}'),
            coalesce((node.value->>'scheduled_at')::timestamptz,
                     now() + make_interval(secs => manana_json_number(node.value->'schedule_in')::double precision))
        )::procrastinate_job_to_defer_v1
        FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
        -- What the task's workers announced, read only for a job that leaves something unsaid.
        LEFT JOIN LATERAL (
            SELECT task.queue_name, task.priority, task.lock, task.queueing_lock FROM manana_tasks AS task
            WHERE task.name = node.value->>'task_name'
              AND (node.value->'queue_name' IS NULL OR node.value->'queue_name' = 'null' OR node.value->'priority' IS NULL
                   OR node.value->'priority' = 'null' OR NOT node.value ? 'lock' OR NOT node.value ? 'queueing_lock')
        ) AS announced ON true
        ORDER BY node.ord), CASE WHEN has_edges THEN ARRAY(
        SELECT (SELECT count(DISTINCT ref) FROM jsonb_array_elements(coalesce(node.value->'depends_on', '[]')) AS ref)::integer
        FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
        ORDER BY node.ord) END, workflow, CASE WHEN jsonb_path_exists(jobs, '$[*].key') THEN ARRAY(
        SELECT node.value->>'key' FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord) ORDER BY node.ord) END);

    IF has_edges THEN
        INSERT INTO procrastinate_job_dependencies (job_id, depends_on_job_id)
        SELECT DISTINCT job_ids[node.ord],
               coalesce(manana_json_number(ref)::bigint, job_ids[parent.ord])
        FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
        CROSS JOIN jsonb_array_elements(coalesce(node.value->'depends_on', '[]')) AS ref
        LEFT JOIN jsonb_array_elements(jobs) WITH ORDINALITY AS parent (value, ord)
            ON jsonb_typeof(ref) = 'string' AND parent.value->>'key' = ref #>> '{}';
    END IF;

    -- Rules other than the default, and those that already decide (a parent that has ended).
    IF jsonb_path_exists(jobs, '$[*] ? (@.run_when == "all_succeeded" || @.run_when == "any_failed")') THEN
        UPDATE procrastinate_jobs AS job SET run_when = (node.value->>'run_when')::manana_run_when
        FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
        WHERE job.id = job_ids[node.ord] AND node.value->>'run_when' IN ('all_succeeded', 'any_failed');
        PERFORM manana_apply_run_when(job_ids);
    END IF;

    RETURN QUERY
    SELECT node.value->>'key', job_ids[node.ord]
    FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
    ORDER BY node.ord;
END;
$function$;
