-- Workflow runs and their steps' rules.
--
-- A run of a workflow definition (app.workflow(name, …)) always makes its own workflow, which
-- records the definition's name and the run's input. The console and the REST API start runs
-- (and previews of them) through workers, which alone know the definitions: a request row,
-- announced on a channel, that a worker answers in the transaction that defers.
--
-- A job may have a rule for its parents' outcomes (run_when): by default (NULL, 'all_finished',
-- Procrastinate's) it runs once all its parents are terminal, and decides. 'all_succeeded': it
-- is cancelled as soon as a parent ends without succeeding (failed, cancelled, aborted), and so
-- are its 'all_succeeded' descendants, in one statement. 'any_failed' (cleanup, alerting): it
-- runs once all its parents are terminal if one of them did not succeed, and is cancelled when
-- they all succeeded. Each cancellation is recorded as a log line of the job (attempt 0: before
-- any run). The rules are applied where parents end, so Python workers honour them too.
--
-- Error codes added here: MN014 workflow_definition_not_found.

ALTER TABLE manana_workflows ADD COLUMN input jsonb;

CREATE TYPE manana_run_when AS ENUM ('all_finished', 'all_succeeded', 'any_failed');
ALTER TABLE procrastinate_jobs ADD COLUMN run_when manana_run_when;  -- NULL: all_finished

-- What is wrong with one job of a manana_defer_jobs() call, or NULL (now with run_when). Arguments are checked
-- separately (their own error code). A single expression without sub-selects, so it is inlined.
CREATE OR REPLACE FUNCTION manana_job_node_problem(node jsonb) RETURNS text
    LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN jsonb_typeof(node) <> 'object' THEN 'each job must be a JSON object'
        WHEN node - '{key,task_name,queue_name,priority,lock,queueing_lock,args,scheduled_at,schedule_in,depends_on,run_when}'::text[] <> '{}'
            THEN 'unknown field(s) '
                 || jsonb_path_query_array(node - '{key,task_name,queue_name,priority,lock,queueing_lock,args,scheduled_at,schedule_in,depends_on,run_when}'::text[],
                                           '$.keyvalue().key')::text
                 || '; expected key, task_name, queue_name, priority, lock, queueing_lock, args, scheduled_at, schedule_in, depends_on, run_when'
        WHEN node ? 'key' AND (jsonb_typeof(node->'key') <> 'string' OR node->>'key' = '')
            THEN 'key must be a non-empty string'
        WHEN jsonb_typeof(node->'task_name') IS DISTINCT FROM 'string' OR length(node->>'task_name') NOT BETWEEN 1 AND 128
            THEN 'task_name must be a string of 1 to 128 characters'
        WHEN jsonb_typeof(node->'queue_name') NOT IN ('string', 'null') OR length(node->>'queue_name') NOT BETWEEN 1 AND 128
            THEN 'queue_name must be a string of 1 to 128 characters'
        WHEN jsonb_typeof(node->'priority') NOT IN ('number', 'null')
             OR manana_json_number(node->'priority') <> trunc(manana_json_number(node->'priority'))
             OR manana_json_number(node->'priority') NOT BETWEEN -2147483648 AND 2147483647
            THEN 'priority must be an integer'
        WHEN jsonb_typeof(node->'lock') NOT IN ('string', 'null') THEN 'lock must be a string'
        WHEN jsonb_typeof(node->'queueing_lock') NOT IN ('string', 'null') THEN 'queueing_lock must be a string'
        WHEN jsonb_typeof(node->'scheduled_at') NOT IN ('string', 'null')
             OR (jsonb_typeof(node->'scheduled_at') = 'string' AND NOT manana_is_timestamptz(node->>'scheduled_at'))
            THEN 'scheduled_at must be a timestamp such as 2026-01-31T14:05:00Z'
        WHEN jsonb_typeof(node->'schedule_in') NOT IN ('number', 'null') OR manana_json_number(node->'schedule_in') < 0
            THEN 'schedule_in must be a number of seconds, 0 or more'
        WHEN jsonb_typeof(node->'scheduled_at') = 'string' AND jsonb_typeof(node->'schedule_in') = 'number'
            THEN 'give scheduled_at or schedule_in, not both'
        WHEN jsonb_typeof(node->'depends_on') NOT IN ('array', 'null')
            THEN 'depends_on must be an array of job ids (numbers) and keys (strings)'
        WHEN jsonb_path_exists(node, '$.depends_on[*] ? (!((@.type() == "string" && @ != "")
                 || (@.type() == "number" && @.floor() == @ && @ >= 1 && @ <= 9223372036854775807)))')
            THEN 'depends_on must hold job ids (positive integers) and keys (non-empty strings)'
        WHEN jsonb_typeof(node->'run_when') NOT IN ('string', 'null')
             OR node->>'run_when' NOT IN ('all_finished', 'all_succeeded', 'any_failed')
            THEN 'run_when must be all_finished, all_succeeded or any_failed'
    END
$$;

-- manana_defer_jobs(jobs) as before, with each job's run_when, and the workflow its jobs go
-- into given (or NULL: as before).
DROP FUNCTION manana_defer_jobs(jsonb);

CREATE FUNCTION manana_defer_jobs_into(jobs jsonb, p_workflow_id bigint) RETURNS TABLE (key text, id bigint)
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

    -- Each job's unfinished parents: its parents here (all todo) and its unfinished existing
    -- ones. The edge trigger recounts under lock, so a parent finishing meanwhile is not missed.
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
        ORDER BY node.ord), CASE WHEN has_edges THEN ARRAY(
        SELECT (SELECT count(DISTINCT ref)
                FROM jsonb_array_elements(coalesce(node.value->'depends_on', '[]')) AS ref
                LEFT JOIN procrastinate_jobs AS parent
                    ON parent.id = manana_json_number(ref)::bigint
                WHERE jsonb_typeof(ref) = 'string' OR NOT manana_is_terminal(parent.status))::integer
        FROM jsonb_array_elements(jobs) WITH ORDINALITY AS node (value, ord)
        ORDER BY node.ord) END, workflow);

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
$$;

CREATE FUNCTION manana_defer_jobs(jobs jsonb) RETURNS TABLE (key text, id bigint)
    LANGUAGE sql
AS $$
    SELECT * FROM manana_defer_jobs_into(jobs, NULL)
$$;

-- Defers a run of the workflow definition p_name with input p_input: its jobs (as for
-- manana_defer_jobs) in a new workflow of that name that records the input. Returns the
-- workflow's id with each job's key and id, in the order given.
CREATE FUNCTION manana_defer_workflow_run(p_name text, p_input jsonb, p_jobs jsonb)
    RETURNS TABLE (workflow_id bigint, key text, id bigint)
    LANGUAGE plpgsql
AS $$
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
$$;

-- Requests to run (or preview) a workflow definition, from the console or the REST API. The
-- requester inserts one (manana_request_workflow) and takes its answer (manana_take_workflow_answer);
-- a worker whose app defines the workflow locks it, defers the run and writes the answer in one
-- transaction. The requester deletes the row when it takes the answer, or gives up waiting:
-- a run is then either deferred and answered, or never deferred.
CREATE TABLE manana_workflow_requests (
    id bigserial PRIMARY KEY,
    workflow_name text NOT NULL,
    input jsonb NOT NULL CHECK (jsonb_typeof(input) = 'object'),
    preview boolean NOT NULL,
    requested_at timestamp with time zone NOT NULL DEFAULT now(),
    -- {"workflow_id": …, "jobs": {key: id}}, or for a preview {"jobs": [{key, task_name, args, depends_on}]},
    -- or {"error": {"code": …, "message": …}}.
    answer jsonb
);

CREATE FUNCTION manana_request_workflow(p_name text, p_input jsonb, p_preview boolean) RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    request bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM manana_workflow_definitions WHERE name = p_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN014', MESSAGE = format('no worker has announced a workflow called %s', p_name);
    END IF;
    IF jsonb_typeof(p_input) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN002', MESSAGE = 'a workflow''s input must be a JSON object';
    END IF;
    INSERT INTO manana_workflow_requests (workflow_name, input, preview) VALUES (p_name, p_input, p_preview)
    RETURNING manana_workflow_requests.id INTO request;
    PERFORM pg_notify('manana_workflow_requests', json_build_object('type', 'workflow_requested', 'name', p_name)::text);
    RETURN request;
END;
$$;

-- The answer to a request, and the request gone; NULL when no worker has answered yet (the
-- request is gone all the same: a worker that holds it meanwhile finishes first, and its answer
-- is returned).
CREATE FUNCTION manana_take_workflow_answer(p_request bigint) RETURNS jsonb
    LANGUAGE sql
AS $$
    DELETE FROM manana_workflow_requests WHERE id = p_request RETURNING answer
$$;

-- manana_jobs_updated as before, applying the rules of children whose parents ended.
CREATE OR REPLACE FUNCTION manana_jobs_updated() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    ids bigint[];
    statuses_before procrastinate_job_status[];
    statuses_after procrastinate_job_status[];
    waiting_before integer[];
    waiting_after integer[];
    worker_ids bigint[];
    queues text[];
    scheduled timestamp with time zone[];
    crossed bigint[];
    deltas integer[];
    child_ids bigint[];
    attempts_before integer[];
    attempts_after integer[];
    task_names text[];
    ruled bigint[];
BEGIN
    SELECT array_agg(id ORDER BY id), array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id),
           array_agg(attempts ORDER BY id)
    INTO ids, statuses_before, waiting_before, attempts_before FROM old_jobs;
    SELECT array_agg(status ORDER BY id), array_agg(unfinished_parents ORDER BY id), array_agg(worker_id ORDER BY id),
           array_agg(queue_name ORDER BY id), array_agg(scheduled_at ORDER BY id), array_agg(attempts ORDER BY id),
           array_agg(task_name ORDER BY id)
    INTO statuses_after, waiting_after, worker_ids, queues, scheduled, attempts_after, task_names FROM new_jobs;

    -- Jobs that became ready, by their last parent ending or by coming back to todo (a retry,
    -- a release), wake the workers of their queue as new jobs do.
    IF waiting_before IS DISTINCT FROM waiting_after OR statuses_before IS DISTINCT FROM statuses_after THEN
        PERFORM manana_announce_ready(job.queue_name, min(job.id))
        FROM unnest(ids, statuses_before, statuses_after, waiting_before, waiting_after, queues, scheduled)
             AS job (id, status_before, status, before, after, queue_name, scheduled_at)
        WHERE job.status = 'todo' AND job.after = 0
          AND (job.before > 0 OR job.status_before <> 'todo')
          AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())
        GROUP BY job.queue_name;
    END IF;
    IF statuses_before IS NOT DISTINCT FROM statuses_after THEN
        RETURN NULL;
    END IF;

    INSERT INTO procrastinate_events (job_id, type, starting_worker_id)
    SELECT change.id, event.type, CASE WHEN event.type = 'started' THEN change.worker_id END
    FROM unnest(ids, statuses_before, statuses_after, worker_ids) AS change (id, before, after, worker_id)
    CROSS JOIN LATERAL (SELECT manana_status_event(change.before, change.after) AS type) AS event
    WHERE event.type IS NOT NULL;

    -- Attempts end only where jobs leave doing (not on the claims, the commonest change).
    IF 'doing' = ANY (statuses_before) THEN
        PERFORM manana_count_task_runs(ids, statuses_before, statuses_after, attempts_before, attempts_after, task_names);
    END IF;

    SELECT array_agg(change.id), array_agg(CASE WHEN manana_is_terminal(change.after) THEN -1 ELSE 1 END)
    INTO crossed, deltas
    FROM unnest(ids, statuses_before, statuses_after) AS change (id, before, after)
    WHERE manana_is_terminal(change.before) <> manana_is_terminal(change.after);
    IF crossed IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(moved.job_id ORDER BY moved.job_id), array_agg(moved.delta ORDER BY moved.job_id)
    INTO child_ids, deltas
    FROM (
        SELECT edge.job_id, sum(parent.delta)::integer AS delta
        FROM unnest(crossed, deltas) AS parent (id, delta)
        JOIN procrastinate_job_dependencies AS edge ON edge.depends_on_job_id = parent.id
        GROUP BY edge.job_id
    ) AS moved
    WHERE moved.delta <> 0;
    IF child_ids IS NOT NULL THEN
        PERFORM 1 FROM procrastinate_jobs WHERE id = ANY (child_ids) ORDER BY id FOR NO KEY UPDATE;
        WITH counted AS (
            UPDATE procrastinate_jobs AS child
            SET unfinished_parents = child.unfinished_parents + moved.delta
            FROM unnest(child_ids, deltas) AS moved (id, delta)
            WHERE child.id = moved.id
            RETURNING child.id, child.run_when
        )
        SELECT array_agg(counted.id) INTO ruled FROM counted WHERE counted.run_when IS NOT NULL;
        -- Children with a rule of their own: it may cancel them now that a parent has ended.
        IF ruled IS NOT NULL THEN
            PERFORM manana_apply_run_when(ruled);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

-- Applies the rules of jobs p_job_ids (those with one, still todo): cancels each whose rule says
-- it will not run ('all_succeeded' with a parent that ended without succeeding; 'any_failed'
-- whose parents all ended and all succeeded), with every 'all_succeeded' todo job downstream of
-- a cancelled one, in one statement (so that a long chain never nests triggers deeply), and
-- records why as a log line of each.
CREATE FUNCTION manana_apply_run_when(p_job_ids bigint[]) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    doomed bigint[];
BEGIN
    -- Each step is written as lookups by key in subqueries run per row (ARRAY(…), scalar
    -- subqueries), which the planner cannot turn into scans of whole tables: on a table just
    -- filled, whose statistics say it is empty, joins here once took 7 s for a chain of 3,000.
    WITH RECURSIVE cancelled (id) AS (
        SELECT job.id
        FROM procrastinate_jobs AS job
        CROSS JOIN LATERAL (
            SELECT ARRAY(SELECT (SELECT parent.status FROM procrastinate_jobs AS parent WHERE parent.id = edge.depends_on_job_id)
                         FROM procrastinate_job_dependencies AS edge WHERE edge.job_id = job.id)
                   && '{failed,cancelled,aborted}'::procrastinate_job_status[] AS ended_badly
        ) AS parents
        WHERE job.id = ANY (p_job_ids) AND job.status = 'todo' AND job.run_when IN ('all_succeeded', 'any_failed')
          AND ((job.run_when = 'all_succeeded' AND parents.ended_badly)
               OR (job.run_when = 'any_failed' AND job.unfinished_parents = 0 AND NOT parents.ended_badly))
        UNION
        SELECT next.id
        FROM cancelled
        CROSS JOIN LATERAL unnest(ARRAY(SELECT edge.job_id FROM procrastinate_job_dependencies AS edge WHERE edge.depends_on_job_id = cancelled.id)) AS next (id)
        WHERE (SELECT child.status = 'todo' AND child.run_when = 'all_succeeded' FROM procrastinate_jobs AS child WHERE child.id = next.id)
    )
    SELECT array_agg(cancelled.id ORDER BY cancelled.id) INTO doomed FROM cancelled;
    IF doomed IS NULL THEN
        RETURN;
    END IF;
    PERFORM 1 FROM procrastinate_jobs WHERE id = ANY (doomed) ORDER BY id FOR NO KEY UPDATE;
    -- Why: the first parent that ended without succeeding (or is cancelled here too), or none.
    INSERT INTO manana_job_logs (job_id, attempt, at, level, message)
    SELECT job.id, 0, now(), 'warn',
           format('cancelled by its rule (run_when %s): %s', job.run_when,
                  CASE WHEN cause.id IS NULL THEN 'all its parents succeeded'
                       ELSE format('parent %s (%s) %s', cause.id, cause.task_name, cause.outcome) END)
    FROM procrastinate_jobs AS job
    LEFT JOIN LATERAL (
        SELECT parent.id, parent.task_name,
               CASE WHEN parent.id = ANY (doomed) THEN 'is cancelled' ELSE 'ended ' || parent.status END AS outcome
        FROM procrastinate_job_dependencies AS edge
        JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
        WHERE edge.job_id = job.id
          AND ((manana_is_terminal(parent.status) AND parent.status <> 'succeeded') OR parent.id = ANY (doomed))
        ORDER BY parent.id LIMIT 1
    ) AS cause ON true
    WHERE job.id = ANY (doomed) AND job.status = 'todo';
    UPDATE procrastinate_jobs SET status = 'cancelled' WHERE id = ANY (doomed) AND status = 'todo';
END;
$$;

-- manana_explain_job as before, saying which rule a job has and why it cancelled one.
CREATE OR REPLACE FUNCTION manana_explain_job(p_job_id bigint, worker_alive_seconds double precision DEFAULT 30)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
AS $$
DECLARE
    job procrastinate_jobs;
    reasons jsonb := '[]';
    blocker record;
BEGIN
    SELECT * INTO job FROM procrastinate_jobs WHERE id = p_job_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s does not exist', p_job_id);
    END IF;
    IF job.status = 'doing' THEN
        RETURN jsonb_build_object('status', job.status, 'reasons',
            jsonb_build_array(jsonb_build_object('kind', 'running', 'worker_id', job.worker_id, 'abort_requested', job.abort_requested)));
    ELSIF job.status = 'cancelled' AND job.run_when IS NOT NULL THEN
        SELECT log.message INTO blocker FROM manana_job_logs AS log
        WHERE log.job_id = job.id AND log.attempt = 0 AND log.message LIKE 'cancelled by its rule%'
        ORDER BY log.id DESC LIMIT 1;
        IF FOUND THEN
            RETURN jsonb_build_object('status', job.status, 'reasons',
                jsonb_build_array(jsonb_build_object('kind', 'cancelled_by_rule', 'rule', job.run_when, 'message', blocker.message)));
        END IF;
        RETURN jsonb_build_object('status', job.status, 'reasons', jsonb_build_array(jsonb_build_object('kind', 'finished')));
    ELSIF job.status <> 'todo' THEN
        RETURN jsonb_build_object('status', job.status, 'reasons', jsonb_build_array(jsonb_build_object('kind', 'finished')));
    END IF;

    IF job.unfinished_parents > 0 THEN
        reasons := reasons || jsonb_build_object('kind', 'waiting_on_parents', 'parents', (
            SELECT jsonb_agg(jsonb_build_object('id', parent.id, 'task', parent.task_name, 'status', parent.status) ORDER BY parent.id)
            FROM procrastinate_job_dependencies AS edge
            JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
            WHERE edge.job_id = job.id AND NOT manana_is_terminal(parent.status)));
    END IF;
    IF job.scheduled_at > now() THEN
        reasons := reasons || jsonb_build_object('kind', 'scheduled', 'at', job.scheduled_at);
    END IF;
    IF job.lock IS NOT NULL AND job.unfinished_parents = 0 THEN
        SELECT other.id, other.status INTO blocker
        FROM procrastinate_jobs AS other
        WHERE other.lock = job.lock AND other.status IN ('todo', 'doing') AND other.id <> job.id
          AND (other.status = 'doing'
               OR (other.unfinished_parents = 0
                   AND (other.scheduled_at IS NULL OR other.scheduled_at <= now())
                   AND (other.priority > job.priority OR (other.priority = job.priority AND other.id < job.id))))
        ORDER BY other.status = 'doing' DESC, other.priority DESC, other.id
        LIMIT 1;
        IF FOUND THEN
            reasons := reasons || jsonb_build_object('kind', 'lock_taken', 'lock', job.lock, 'job_id', blocker.id, 'job_status', blocker.status);
        END IF;
    END IF;
    SELECT queue.paused_at, queue.paused_by INTO blocker FROM manana_paused_queues AS queue WHERE queue.queue_name = job.queue_name;
    IF FOUND THEN
        reasons := reasons || jsonb_build_object('kind', 'queue_paused', 'queue', job.queue_name, 'since', blocker.paused_at, 'by', blocker.paused_by);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM procrastinate_workers AS worker
                   WHERE worker.last_heartbeat > now() - make_interval(secs => worker_alive_seconds)
                     AND (worker.queues IS NULL OR job.queue_name = ANY (worker.queues))) THEN
        reasons := reasons || jsonb_build_object('kind', 'no_worker', 'queue', job.queue_name);
    END IF;
    IF reasons = '[]' THEN
        reasons := jsonb_build_array(jsonb_build_object('kind', 'ready'));
    END IF;
    IF job.run_when IN ('all_succeeded', 'any_failed') THEN
        reasons := reasons || jsonb_build_object('kind', 'rule', 'rule', job.run_when);
    END IF;
    RETURN jsonb_build_object('status', job.status, 'reasons', reasons);
END;
$$;
