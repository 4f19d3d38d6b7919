-- Workflows, recorded when jobs are deferred: jobs deferred together with dependencies form
-- one, and jobs deferred onto existing parents join their parents' workflow. The console lists
-- them without computing connected components over the jobs table.

CREATE TABLE manana_workflows (
    id bigserial PRIMARY KEY,
    name text NOT NULL,             -- the first job's key, or its task
    root_task_name character varying(128) NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now()
);

ALTER TABLE procrastinate_jobs ADD COLUMN workflow_id bigint;  -- no foreign key: kept off the hot path
CREATE INDEX manana_jobs_workflow_idx ON procrastinate_jobs (workflow_id) WHERE workflow_id IS NOT NULL;

-- The insert now records the workflow too.
DROP FUNCTION manana_insert_jobs(procrastinate_job_to_defer_v1[], integer[]);

CREATE FUNCTION manana_insert_jobs(jobs procrastinate_job_to_defer_v1[], unfinished_parents integer[], workflow bigint)
    RETURNS bigint[]
    LANGUAGE plpgsql
AS $$
DECLARE
    job_ids bigint[];
BEGIN
    job_ids := ARRAY(
        SELECT nextval('procrastinate_jobs_id_seq'::regclass)
        FROM generate_series(1, coalesce(cardinality(jobs), 0)));
    INSERT INTO procrastinate_jobs (id, queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at,
                                    unfinished_parents, workflow_id)
    SELECT job_ids[job.ord], job.queue_name, job.task_name, coalesce(job.priority, 0), job.lock,
           job.queueing_lock, coalesce(job.args, '{}'), job.scheduled_at, coalesce(unfinished_parents[job.ord], 0), workflow
    FROM unnest(jobs) WITH ORDINALITY AS job (queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at, ord)
    ORDER BY job.ord;
    RETURN job_ids;
END;
$$;

CREATE OR REPLACE FUNCTION procrastinate_defer_jobs_v1(jobs procrastinate_job_to_defer_v1[]) RETURNS bigint[]
    LANGUAGE sql
AS $$ SELECT manana_insert_jobs(jobs, NULL, NULL) $$;

CREATE OR REPLACE FUNCTION manana_defer_jobs(jobs jsonb) RETURNS TABLE (key text, id bigint)
    LANGUAGE plpgsql
AS $$
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

    -- Parents named by key: they must be jobs of this call.
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

    -- Each job's unfinished parents: its parents here (all todo) and its unfinished existing
    -- ones. The edge trigger recounts under lock, so a parent finishing meanwhile is not missed.
    -- Jobs deferred with dependencies form a workflow, or join the one of their existing parents.
    IF jsonb_path_exists(jobs, '$[*].depends_on[0]') THEN
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
            coalesce(node.value->>'queue_name', 'default'),
            node.value->>'task_name',
            coalesce(manana_json_number(node.value->'priority')::integer, 0),
            node.value->>'lock',
            node.value->>'queueing_lock',
            coalesce(nullif(node.value->'args', 'null'), '{}'),
            coalesce((node.value->>'scheduled_at')::timestamptz,
                     now() + make_interval(secs => manana_json_number(node.value->'schedule_in')::double precision))
        )::procrastinate_job_to_defer_v1
        FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
        ORDER BY node.ord), ARRAY(
        SELECT (SELECT count(DISTINCT ref)
                FROM jsonb_array_elements(coalesce(node.value->'depends_on', '[]')) AS ref
                LEFT JOIN procrastinate_jobs AS parent
                    ON parent.id = manana_json_number(ref)::bigint
                WHERE jsonb_typeof(ref) = 'string' OR NOT manana_is_terminal(parent.status))::integer
        FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
        ORDER BY node.ord), workflow);

    INSERT INTO procrastinate_job_dependencies (job_id, depends_on_job_id)
    SELECT DISTINCT job_ids[node.ord],
           coalesce(manana_json_number(ref)::bigint, job_ids[parent.ord])
    FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
    CROSS JOIN jsonb_array_elements(coalesce(node.value->'depends_on', '[]')) AS ref
    LEFT JOIN jsonb_array_elements(jobs) WITH ORDINALITY AS parent (value, ord)
        ON jsonb_typeof(ref) = 'string' AND parent.value->>'key' = ref #>> '{}';

    RETURN QUERY
    SELECT node.value->>'key', job_ids[node.ord]
    FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
    ORDER BY node.ord;
END;
$$;

