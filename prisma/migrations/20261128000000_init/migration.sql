-- Mañana's schema: Procrastinate 3.x tables and functions (same names and signatures, so
-- Python Procrastinate workers can share the database), extended with job dependencies.
-- Every rule lives here, once; TypeScript and Python both call these functions.
--
-- Error codes raised by Mañana's functions (SQLSTATE, mirrored in lib/queue/errors.ts):
--   MN001 invalid_job                  MN002 invalid_args
--   MN003 duplicate_key                MN004 unknown_parent
--   MN005 unknown_parent_key           MN006 dependency_cycle
--   MN007 job_not_found                MN008 job_not_retryable
--   MN009 job_not_finishable           MN010 job_not_deletable
--   MN011 job_has_unfinished_children  MN012 job_not_cancellable
-- A queueing-lock clash is Procrastinate's unique violation on
-- procrastinate_jobs_queueing_lock_idx_v1 (Python relies on that exact name).

-- ---------------------------------------------------------------------------------------
-- Types
-- ---------------------------------------------------------------------------------------

CREATE TYPE procrastinate_job_status AS ENUM (
    'todo', 'doing', 'succeeded', 'failed', 'cancelled',
    'aborting',  -- legacy: never written, counts as unfinished
    'aborted'
);

CREATE TYPE procrastinate_job_event_type AS ENUM (
    'deferred', 'started', 'deferred_for_retry', 'failed', 'succeeded', 'cancelled',
    'abort_requested', 'aborted', 'scheduled', 'retried'
);

CREATE TYPE procrastinate_job_to_defer_v1 AS (
    queue_name character varying,
    task_name character varying,
    priority integer,
    lock text,
    queueing_lock text,
    args jsonb,
    scheduled_at timestamp with time zone
);

-- ---------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------

CREATE TABLE procrastinate_workers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    last_heartbeat timestamp with time zone NOT NULL DEFAULT now()
);

CREATE TABLE procrastinate_jobs (
    id bigserial PRIMARY KEY,
    queue_name character varying(128) NOT NULL,
    task_name character varying(128) NOT NULL,
    priority integer NOT NULL DEFAULT 0,
    lock text,
    queueing_lock text,
    args jsonb NOT NULL DEFAULT '{}',
    status procrastinate_job_status NOT NULL DEFAULT 'todo',
    scheduled_at timestamp with time zone,
    attempts integer NOT NULL DEFAULT 0,
    abort_requested boolean NOT NULL DEFAULT false,
    worker_id bigint REFERENCES procrastinate_workers (id) ON DELETE SET NULL,
    -- Mañana: how many of this job's parents have not reached a terminal status. Kept by
    -- triggers whoever writes; a todo job is ready when it is 0 (and the job is due).
    unfinished_parents integer NOT NULL DEFAULT 0,
    -- Mañana: the JSON value a task returned.
    result jsonb,
    -- Mañana: the workflow (manana_workflows) it was deferred in; no foreign key, off the hot path.
    workflow_id bigint,
    CONSTRAINT check_not_todo_abort_requested CHECK (NOT (status = 'todo' AND abort_requested)),
    CONSTRAINT manana_args_is_object CHECK (jsonb_typeof(args) = 'object'),
    CONSTRAINT manana_unfinished_parents_not_negative CHECK (unfinished_parents >= 0)
);

CREATE TABLE procrastinate_events (
    id bigserial PRIMARY KEY,
    job_id bigint NOT NULL REFERENCES procrastinate_jobs (id) ON DELETE CASCADE,
    type procrastinate_job_event_type,
    at timestamp with time zone DEFAULT now(),
    -- Mañana: the worker that took the job, on 'started' events.
    worker_id bigint
);

CREATE TABLE procrastinate_periodic_defers (
    id bigserial PRIMARY KEY,
    task_name character varying(128) NOT NULL,
    defer_timestamp bigint,
    job_id bigint REFERENCES procrastinate_jobs (id),
    periodic_id character varying(128) NOT NULL DEFAULT '',
    CONSTRAINT procrastinate_periodic_defers_unique UNIQUE (task_name, periodic_id, defer_timestamp)
);

-- Mañana: workflows, recorded when jobs are deferred: jobs deferred together with dependencies
-- form one, and jobs deferred onto existing parents join their parents' workflow. The console
-- lists them without computing connected components over the jobs table.
CREATE TABLE manana_workflows (
    id bigserial PRIMARY KEY,
    name text NOT NULL,             -- the first job's key, or its task
    root_task_name character varying(128) NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now()
);

-- job_id is the child, depends_on_job_id the parent.
CREATE TABLE procrastinate_job_dependencies (
    job_id bigint NOT NULL REFERENCES procrastinate_jobs (id) ON DELETE CASCADE,
    depends_on_job_id bigint NOT NULL REFERENCES procrastinate_jobs (id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, depends_on_job_id),
    CONSTRAINT procrastinate_job_dependencies_not_self CHECK (job_id <> depends_on_job_id)
);

-- ---------------------------------------------------------------------------------------
-- Indexes
-- ---------------------------------------------------------------------------------------

-- These two carry meaning: at most one waiting job per queueing lock, one running job per lock.
CREATE UNIQUE INDEX procrastinate_jobs_queueing_lock_idx_v1
    ON procrastinate_jobs (queueing_lock) WHERE status = 'todo';
CREATE UNIQUE INDEX procrastinate_jobs_lock_idx_v1
    ON procrastinate_jobs (lock) WHERE status = 'doing';

-- The fetch reads ready jobs in order from here: waiting children are not in it at all,
-- so however many of them pile up, a fetch never looks at them.
CREATE INDEX manana_jobs_ready_idx
    ON procrastinate_jobs (priority DESC, id ASC) WHERE status = 'todo' AND unfinished_parents = 0;
-- The lock rule looks up the unfinished jobs of one lock group.
CREATE INDEX manana_jobs_lock_group_idx
    ON procrastinate_jobs (lock) WHERE lock IS NOT NULL AND status IN ('todo', 'doing');
CREATE INDEX procrastinate_jobs_queue_name_idx_v1 ON procrastinate_jobs (queue_name);
CREATE INDEX manana_jobs_workflow_idx ON procrastinate_jobs (workflow_id) WHERE workflow_id IS NOT NULL;
-- worker_id is only set while a job is doing, so this stays small.
CREATE INDEX idx_procrastinate_jobs_worker_not_null
    ON procrastinate_jobs (worker_id) WHERE worker_id IS NOT NULL;

CREATE INDEX procrastinate_events_job_id_fkey_v1 ON procrastinate_events (job_id);
CREATE INDEX procrastinate_periodic_defers_job_id_fkey_v1 ON procrastinate_periodic_defers (job_id);
CREATE INDEX idx_procrastinate_workers_last_heartbeat ON procrastinate_workers (last_heartbeat);
CREATE INDEX procrastinate_job_dependencies_depends_on_job_id_idx
    ON procrastinate_job_dependencies (depends_on_job_id);

-- ---------------------------------------------------------------------------------------
-- The terminal statuses: a child runs once all its parents are in one of these.
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION manana_is_terminal(status procrastinate_job_status) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT status IN ('succeeded', 'failed', 'cancelled', 'aborted') $$;

-- ---------------------------------------------------------------------------------------
-- Counting unfinished parents
-- ---------------------------------------------------------------------------------------

-- Recounts from the edges; used when edges come or go.
CREATE FUNCTION manana_recount_unfinished_parents(child_ids bigint[]) RETURNS void
    LANGUAGE sql
AS $$
    UPDATE procrastinate_jobs AS child
    SET unfinished_parents = counted.n
    FROM (
        SELECT c.id, count(parent.id) FILTER (WHERE NOT manana_is_terminal(parent.status)) AS n
        FROM unnest(child_ids) AS c(id)
        LEFT JOIN procrastinate_job_dependencies AS edge ON edge.job_id = c.id
        LEFT JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
        GROUP BY c.id
    ) AS counted
    WHERE child.id = counted.id AND child.unfinished_parents <> counted.n
$$;

CREATE FUNCTION manana_count_new_edges() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    -- Lock the parents against status changes until we commit: a parent finishing (or being
    -- retried) concurrently would otherwise not see these uncommitted edges and leave the
    -- child's count wrong forever.
    PERFORM 1 FROM procrastinate_jobs
    WHERE id IN (SELECT DISTINCT depends_on_job_id FROM new_edges)
    ORDER BY id
    FOR SHARE;
    PERFORM manana_recount_unfinished_parents(ARRAY(SELECT DISTINCT job_id FROM new_edges));
    RETURN NULL;
END;
$$;

CREATE FUNCTION manana_count_removed_edges() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM manana_recount_unfinished_parents(ARRAY(SELECT DISTINCT job_id FROM old_edges));
    RETURN NULL;
END;
$$;

CREATE TRIGGER manana_count_new_edges
    AFTER INSERT ON procrastinate_job_dependencies
    REFERENCING NEW TABLE AS new_edges
    FOR EACH STATEMENT EXECUTE FUNCTION manana_count_new_edges();

CREATE TRIGGER manana_count_removed_edges
    AFTER DELETE ON procrastinate_job_dependencies
    REFERENCING OLD TABLE AS old_edges
    FOR EACH STATEMENT EXECUTE FUNCTION manana_count_removed_edges();

-- A parent crossing the terminal line moves its children's counts by one.
CREATE FUNCTION manana_update_children_counts() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE procrastinate_jobs AS child
    SET unfinished_parents = child.unfinished_parents
        + CASE WHEN manana_is_terminal(NEW.status) THEN -1 ELSE 1 END
    FROM procrastinate_job_dependencies AS edge
    WHERE edge.depends_on_job_id = NEW.id AND child.id = edge.job_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER manana_update_children_counts
    AFTER UPDATE OF status ON procrastinate_jobs
    FOR EACH ROW
    WHEN (manana_is_terminal(OLD.status) <> manana_is_terminal(NEW.status))
    EXECUTE FUNCTION manana_update_children_counts();

-- ---------------------------------------------------------------------------------------
-- Notifications (Procrastinate's channels and payloads)
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION procrastinate_notify_queue_job_inserted_v1() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    payload text := json_build_object('type', 'job_inserted', 'job_id', NEW.id)::text;
BEGIN
    PERFORM pg_notify('procrastinate_queue_v1#' || NEW.queue_name, payload);
    PERFORM pg_notify('procrastinate_any_queue_v1', payload);
    RETURN NULL;
END;
$$;

CREATE FUNCTION procrastinate_notify_queue_abort_job_v1() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    payload text := json_build_object('type', 'abort_job_requested', 'job_id', NEW.id)::text;
BEGIN
    PERFORM pg_notify('procrastinate_queue_v1#' || NEW.queue_name, payload);
    PERFORM pg_notify('procrastinate_any_queue_v1', payload);
    RETURN NULL;
END;
$$;

-- A child whose last parent just finished is announced like a new job, so that any
-- listening worker (Python's too) takes it at once instead of at its next poll.
CREATE TRIGGER manana_notify_job_ready
    AFTER UPDATE OF unfinished_parents ON procrastinate_jobs
    FOR EACH ROW WHEN (OLD.unfinished_parents > 0 AND NEW.unfinished_parents = 0 AND NEW.status = 'todo')
    EXECUTE FUNCTION procrastinate_notify_queue_job_inserted_v1();

CREATE TRIGGER procrastinate_jobs_notify_queue_job_aborted_v1
    AFTER UPDATE OF abort_requested ON procrastinate_jobs
    FOR EACH ROW WHEN (NOT OLD.abort_requested AND NEW.abort_requested AND NEW.status = 'doing')
    EXECUTE FUNCTION procrastinate_notify_queue_abort_job_v1();

-- ---------------------------------------------------------------------------------------
-- Events: written by triggers only, so every writer produces the same history.
-- ---------------------------------------------------------------------------------------

-- New jobs, once per statement (a batch of 100,000 is one trigger call): their 'deferred' and
-- 'scheduled' events, and one job_inserted notification per queue that got ready jobs. A
-- listening worker only needs waking (Python's too: it fetches on any job_inserted); children
-- still waiting on parents are announced when they become ready (manana_notify_job_ready).
CREATE FUNCTION manana_jobs_inserted() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    ready record;
    payload text;
BEGIN
    INSERT INTO procrastinate_events (job_id, type)
    SELECT id, 'deferred' FROM new_jobs WHERE status = 'todo' ORDER BY id;
    INSERT INTO procrastinate_events (job_id, type, at)
    SELECT id, 'scheduled', scheduled_at FROM new_jobs WHERE status = 'todo' AND scheduled_at IS NOT NULL ORDER BY id;
    FOR ready IN
        SELECT queue_name, min(id) AS job_id FROM new_jobs
        WHERE status = 'todo' AND unfinished_parents = 0
        GROUP BY queue_name
    LOOP
        payload := json_build_object('type', 'job_inserted', 'job_id', ready.job_id)::text;
        PERFORM pg_notify('procrastinate_queue_v1#' || ready.queue_name, payload);
        PERFORM pg_notify('procrastinate_any_queue_v1', payload);
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE TRIGGER manana_jobs_inserted
    AFTER INSERT ON procrastinate_jobs
    REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION manana_jobs_inserted();

CREATE FUNCTION procrastinate_trigger_function_status_events_update_v1() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    event_type procrastinate_job_event_type;
BEGIN
    event_type := CASE
        WHEN OLD.status = 'todo' AND NEW.status = 'doing' THEN 'started'
        WHEN OLD.status = 'doing' AND NEW.status = 'todo' THEN 'deferred_for_retry'
        WHEN OLD.status = 'doing' AND NEW.status = 'failed' THEN 'failed'
        WHEN OLD.status = 'doing' AND NEW.status = 'succeeded' THEN 'succeeded'
        WHEN OLD.status = 'doing' AND NEW.status = 'aborted' THEN 'aborted'
        WHEN OLD.status = 'todo' AND NEW.status IN ('cancelled', 'failed', 'succeeded') THEN 'cancelled'
        -- failed -> todo is Procrastinate's retry; Mañana also re-runs other finished jobs.
        WHEN manana_is_terminal(OLD.status) AND NEW.status = 'todo' THEN 'retried'
    END::procrastinate_job_event_type;
    IF event_type IS NOT NULL THEN
        INSERT INTO procrastinate_events (job_id, type, worker_id)
        VALUES (NEW.id, event_type, CASE WHEN event_type = 'started' THEN NEW.worker_id END);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION procrastinate_trigger_function_scheduled_events_v1() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO procrastinate_events (job_id, type, at) VALUES (NEW.id, 'scheduled', NEW.scheduled_at);
    RETURN NULL;
END;
$$;

CREATE FUNCTION procrastinate_trigger_abort_requested_events_procedure_v1() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO procrastinate_events (job_id, type) VALUES (NEW.id, 'abort_requested');
    RETURN NULL;
END;
$$;

CREATE TRIGGER procrastinate_trigger_status_events_update_v1
    AFTER UPDATE OF status ON procrastinate_jobs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION procrastinate_trigger_function_status_events_update_v1();

-- Only when a todo job gets a (new) schedule: not on every update of a scheduled job.
CREATE TRIGGER procrastinate_trigger_scheduled_events_v1
    AFTER UPDATE OF scheduled_at, status ON procrastinate_jobs
    FOR EACH ROW WHEN (NEW.scheduled_at IS NOT NULL AND NEW.status = 'todo'
        AND (OLD.status <> 'todo' OR OLD.scheduled_at IS DISTINCT FROM NEW.scheduled_at))
    EXECUTE FUNCTION procrastinate_trigger_function_scheduled_events_v1();

CREATE TRIGGER procrastinate_trigger_abort_requested_events_v1
    AFTER UPDATE OF abort_requested ON procrastinate_jobs
    FOR EACH ROW WHEN (NOT OLD.abort_requested AND NEW.abort_requested)
    EXECUTE FUNCTION procrastinate_trigger_abort_requested_events_procedure_v1();

-- ---------------------------------------------------------------------------------------
-- Deleting jobs
-- ---------------------------------------------------------------------------------------

-- A job that an unfinished child waits for (or is reading, while it runs) is never deleted:
-- not by retention, not by delete-on-success, not by Python. The row is silently kept, as
-- a statement-level cleanup expects; operator deletes check first and say why (manana_delete_job).
-- Named to fire before Procrastinate's own BEFORE DELETE trigger.
CREATE FUNCTION manana_has_unfinished_children(p_job_id bigint) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM procrastinate_job_dependencies AS edge
        JOIN procrastinate_jobs AS child ON child.id = edge.job_id
        WHERE edge.depends_on_job_id = p_job_id AND NOT manana_is_terminal(child.status)
    )
$$;

CREATE FUNCTION manana_keep_needed_parents() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF manana_has_unfinished_children(OLD.id) THEN
        RETURN NULL;
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER manana_keep_needed_parents
    BEFORE DELETE ON procrastinate_jobs
    FOR EACH ROW EXECUTE FUNCTION manana_keep_needed_parents();

CREATE FUNCTION procrastinate_unlink_periodic_defers_v1() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE procrastinate_periodic_defers SET job_id = NULL WHERE job_id = OLD.id;
    RETURN OLD;
END;
$$;

CREATE TRIGGER procrastinate_trigger_delete_jobs
    BEFORE DELETE ON procrastinate_jobs
    FOR EACH ROW EXECUTE FUNCTION procrastinate_unlink_periodic_defers_v1();

-- ---------------------------------------------------------------------------------------
-- Errors about one job's status
-- ---------------------------------------------------------------------------------------

-- Called after an action found no job in an acceptable status: says which it was.
CREATE FUNCTION manana_raise_job_status(p_job_id bigint, sqlstate text, action text) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    current_status procrastinate_job_status;
BEGIN
    SELECT status INTO current_status FROM procrastinate_jobs WHERE id = p_job_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s does not exist', p_job_id);
    END IF;
    RAISE EXCEPTION USING ERRCODE = sqlstate,
        MESSAGE = format('job %s is %s: %s', p_job_id, current_status, action);
END;
$$;

-- ---------------------------------------------------------------------------------------
-- Deferring
-- ---------------------------------------------------------------------------------------

-- Inserts jobs in order and returns their ids in the same order. unfinished_parents gives each
-- job's count up front (NULL: none), so that a child is never written as ready and then
-- updated, which would leave a dead entry in the ready index for every waiting job.
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

CREATE FUNCTION procrastinate_defer_jobs_v1(jobs procrastinate_job_to_defer_v1[]) RETURNS bigint[]
    LANGUAGE sql
AS $$ SELECT manana_insert_jobs(jobs, NULL, NULL) $$;

-- A JSON number as numeric; NULL for anything else (never a cast error).
CREATE FUNCTION manana_json_number(value jsonb) RETURNS numeric
    LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN (value #>> '{}')::numeric END $$;

CREATE FUNCTION manana_is_timestamptz(value text) RETURNS boolean
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    PERFORM value::timestamptz;
    RETURN true;
EXCEPTION WHEN others THEN
    RETURN false;
END;
$$;

-- What is wrong with one job of a manana_defer_jobs() call, or NULL. Arguments are checked
-- separately (their own error code). A single expression without sub-selects, so it is inlined.
CREATE FUNCTION manana_job_node_problem(node jsonb) RETURNS text
    LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN jsonb_typeof(node) <> 'object' THEN 'each job must be a JSON object'
        WHEN node - '{key,task_name,queue_name,priority,lock,queueing_lock,args,scheduled_at,schedule_in,depends_on}'::text[] <> '{}'
            THEN 'unknown field(s) '
                 || jsonb_path_query_array(node - '{key,task_name,queue_name,priority,lock,queueing_lock,args,scheduled_at,schedule_in,depends_on}'::text[],
                                           '$.keyvalue().key')::text
                 || '; expected key, task_name, queue_name, priority, lock, queueing_lock, args, scheduled_at, schedule_in, depends_on'
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
    END
$$;

-- Kahn's algorithm over the keyed nodes 1..n; returns the nodes left on or behind a cycle
-- (empty when there is none). Edges are given as parallel arrays: child depends on parent.
CREATE FUNCTION manana_nodes_on_cycles(n integer, child_nodes integer[], parent_nodes integer[]) RETURNS integer[]
    LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
    waiting_on integer[] := array_fill(0, ARRAY[n]);
    first_edge integer[] := array_fill(0, ARRAY[n + 1]);
    children integer[];
    ready integer[] := '{}';
    done integer := 0;
    node integer;
    i integer;
BEGIN
    -- Children of each node, grouped by parent (compressed adjacency).
    children := ARRAY(SELECT e.child FROM unnest(child_nodes, parent_nodes) AS e (child, parent) ORDER BY e.parent);
    FOR i IN 1 .. coalesce(cardinality(child_nodes), 0) LOOP
        waiting_on[child_nodes[i]] := waiting_on[child_nodes[i]] + 1;
        first_edge[parent_nodes[i] + 1] := first_edge[parent_nodes[i] + 1] + 1;
    END LOOP;
    FOR i IN 2 .. n + 1 LOOP
        first_edge[i] := first_edge[i] + first_edge[i - 1];
    END LOOP;
    FOR i IN 1 .. n LOOP
        IF waiting_on[i] = 0 THEN ready := ready || i; END IF;
    END LOOP;
    WHILE done < cardinality(ready) LOOP
        done := done + 1;
        node := ready[done];
        FOR i IN first_edge[node] + 1 .. first_edge[node + 1] LOOP
            waiting_on[children[i]] := waiting_on[children[i]] - 1;
            IF waiting_on[children[i]] = 0 THEN ready := ready || children[i]; END IF;
        END LOOP;
    END LOOP;
    RETURN ARRAY(SELECT g FROM generate_series(1, n) AS g WHERE waiting_on[g] > 0);
END;
$$;

-- Defers one job, a batch, or a whole DAG, all or nothing. `jobs` is a JSON array of
-- {key?, task_name, queue_name?, priority?, lock?, queueing_lock?, args?, scheduled_at? |
-- schedule_in? (seconds), depends_on?: [existing job id (number) | key of another job here (string)]}.
-- Returns each job's key (NULL when it had none) and new id, in the order given.
CREATE FUNCTION manana_defer_jobs(jobs jsonb) RETURNS TABLE (key text, id bigint)
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

CREATE FUNCTION procrastinate_defer_periodic_job_v2(
    _queue_name character varying,
    _lock character varying,
    _queueing_lock character varying,
    _task_name character varying,
    _priority integer,
    _periodic_id character varying,
    _defer_timestamp bigint,
    _args jsonb
) RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    _defer_id bigint;
    _job_id bigint;
BEGIN
    -- A tick no newer than the latest one remembered was deferred already (by another worker).
    IF EXISTS (SELECT 1 FROM procrastinate_periodic_defers
               WHERE task_name = _task_name AND periodic_id = _periodic_id AND defer_timestamp >= _defer_timestamp) THEN
        RETURN NULL;
    END IF;
    INSERT INTO procrastinate_periodic_defers (task_name, periodic_id, defer_timestamp)
    VALUES (_task_name, _periodic_id, _defer_timestamp)
    ON CONFLICT DO NOTHING
    RETURNING id INTO _defer_id;
    IF _defer_id IS NULL THEN
        RETURN NULL;  -- this tick was already deferred (by another worker)
    END IF;

    _job_id := (procrastinate_defer_jobs_v1(ARRAY[
        ROW(_queue_name, _task_name, _priority, _lock, _queueing_lock, _args, NULL)::procrastinate_job_to_defer_v1]))[1];
    UPDATE procrastinate_periodic_defers SET job_id = _job_id WHERE id = _defer_id;

    -- Only the latest tick of each periodic task needs remembering.
    DELETE FROM procrastinate_periodic_defers
    WHERE task_name = _task_name AND periodic_id = _periodic_id AND defer_timestamp < _defer_timestamp;
    RETURN _job_id;
END;
$$;

-- ---------------------------------------------------------------------------------------
-- Fetching: the dependency gate and the lock rule, in one place
-- ---------------------------------------------------------------------------------------

-- Claims up to max_jobs ready jobs (todo, due, every parent terminal) in priority/id order,
-- at most one per lock group: a job is not taken while another job of its lock is doing, or
-- is a ready todo job that ranks ahead of it. Jobs still waiting on parents never hold their
-- lock group, so a child sharing its parent's lock cannot block that parent.
CREATE FUNCTION manana_fetch_jobs(target_queue_names character varying[], p_worker_id bigint, max_jobs integer)
    RETURNS SETOF procrastinate_jobs
    LANGUAGE plpgsql
AS $$
DECLARE
    claimed procrastinate_jobs[];
BEGIN
    BEGIN
        WITH candidate AS (
            SELECT job.id
            FROM procrastinate_jobs AS job
            WHERE job.status = 'todo'
              AND job.unfinished_parents = 0
              AND (target_queue_names IS NULL OR job.queue_name = ANY (target_queue_names))
              AND (job.scheduled_at IS NULL OR job.scheduled_at <= now())
              AND (job.lock IS NULL OR NOT EXISTS (
                  SELECT 1 FROM procrastinate_jobs AS other
                  WHERE other.lock = job.lock
                    AND other.status IN ('todo', 'doing')
                    AND other.id <> job.id
                    AND (other.status = 'doing'
                         OR (other.unfinished_parents = 0
                             AND (other.scheduled_at IS NULL OR other.scheduled_at <= now())
                             AND (other.priority > job.priority
                                  OR (other.priority = job.priority AND other.id < job.id))))))
            ORDER BY job.priority DESC, job.id ASC
            LIMIT max_jobs
            FOR UPDATE OF job SKIP LOCKED
        ), taken AS (
            UPDATE procrastinate_jobs AS job
            SET status = 'doing', worker_id = p_worker_id
            FROM candidate
            WHERE job.id = candidate.id
            RETURNING job.*
        )
        SELECT array_agg(taken::procrastinate_jobs ORDER BY taken.priority DESC, taken.id) INTO claimed FROM taken;
    EXCEPTION WHEN unique_violation THEN
        -- Two fetchers raced into one lock group; the loser takes nothing this round.
        RETURN;
    END;
    RETURN QUERY SELECT * FROM unnest(claimed);
END;
$$;

CREATE FUNCTION procrastinate_fetch_job_v2(target_queue_names character varying[], p_worker_id bigint)
    RETURNS procrastinate_jobs
    LANGUAGE plpgsql
AS $$
DECLARE
    found_job procrastinate_jobs;
BEGIN
    SELECT * INTO found_job FROM manana_fetch_jobs(target_queue_names, p_worker_id, 1);
    RETURN found_job;  -- a row of NULLs when nothing is ready
END;
$$;

-- ---------------------------------------------------------------------------------------
-- Finishing, retrying, cancelling
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION manana_finish_job(p_job_id bigint, end_status procrastinate_job_status, job_result jsonb, delete_job boolean)
    RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    IF end_status IS NULL OR end_status NOT IN ('succeeded', 'failed', 'aborted') THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009',
            MESSAGE = format('a job ends as succeeded, failed or aborted, not %s (job %s)', end_status, p_job_id);
    END IF;
    UPDATE procrastinate_jobs
    SET status = end_status,
        result = job_result,
        abort_requested = false,
        worker_id = NULL,
        attempts = CASE status WHEN 'doing' THEN attempts + 1 ELSE attempts END
    WHERE id = p_job_id AND status IN ('todo', 'doing');
    IF NOT FOUND THEN
        PERFORM manana_raise_job_status(p_job_id, 'MN009', 'only todo or doing jobs can be finished');
    END IF;
    IF delete_job THEN
        -- Kept (with its status) by manana_keep_needed_parents while a child still needs it.
        DELETE FROM procrastinate_jobs WHERE id = p_job_id;
    END IF;
END;
$$;

CREATE FUNCTION procrastinate_finish_job_v1(job_id bigint, end_status procrastinate_job_status, delete_job boolean)
    RETURNS void
    LANGUAGE sql
AS $$ SELECT manana_finish_job($1, $2, NULL, $3) $$;

CREATE FUNCTION procrastinate_retry_job_v2(
    job_id bigint,
    retry_at timestamp with time zone,
    new_priority integer,
    new_queue_name character varying,
    new_lock character varying
) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE procrastinate_jobs AS job
    SET status = CASE WHEN job.status = 'doing' AND job.abort_requested THEN 'failed' ELSE 'todo' END::procrastinate_job_status,
        attempts = job.attempts + 1,
        scheduled_at = CASE WHEN job.status = 'doing' AND job.abort_requested THEN job.scheduled_at ELSE retry_at END,
        abort_requested = job.status = 'doing' AND job.abort_requested,
        priority = coalesce(new_priority, job.priority),
        queue_name = coalesce(new_queue_name, job.queue_name),
        lock = coalesce(new_lock, job.lock),
        worker_id = NULL
    WHERE job.id = $1 AND job.status IN ('doing', 'failed');
    IF NOT FOUND THEN
        PERFORM manana_raise_job_status($1, 'MN008', 'only doing or failed jobs can be retried this way');
    END IF;
END;
$$;

CREATE FUNCTION procrastinate_retry_job_v1(
    job_id bigint,
    retry_at timestamp with time zone,
    new_priority integer,
    new_queue_name character varying,
    new_lock character varying
) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS job WHERE job.id = $1 AND job.status = 'doing') THEN
        PERFORM manana_raise_job_status($1, 'MN008', 'only doing jobs can be retried this way');
    END IF;
    PERFORM procrastinate_retry_job_v2($1, $2, $3, $4, $5);
END;
$$;

-- Procrastinate's cancel: a todo job becomes cancelled (then deleted if asked, unless a child
-- still needs it); with abort, a doing job gets abort_requested. Returns the id, or NULL
-- when the job was not in a status this applies to.
CREATE FUNCTION procrastinate_cancel_job_v1(job_id bigint, abort boolean, delete_job boolean)
    RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    _job_id bigint;
    _status procrastinate_job_status;
BEGIN
    UPDATE procrastinate_jobs AS job
    SET status = CASE job.status WHEN 'todo' THEN 'cancelled' ELSE job.status END::procrastinate_job_status,
        abort_requested = job.status = 'doing'
    WHERE job.id = $1 AND (job.status = 'todo' OR ($2 AND job.status = 'doing'))
    RETURNING job.id, job.status INTO _job_id, _status;
    IF _job_id IS NOT NULL AND delete_job AND _status = 'cancelled' THEN
        DELETE FROM procrastinate_jobs AS job WHERE job.id = _job_id;
    END IF;
    RETURN _job_id;
END;
$$;

-- The operators' cancel and abort: like procrastinate_cancel_job_v1, but an error says why
-- when nothing could be done.
CREATE FUNCTION manana_cancel_job(p_job_id bigint, abort boolean) RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    IF procrastinate_cancel_job_v1(p_job_id, abort, false) IS NULL THEN
        PERFORM manana_raise_job_status(p_job_id, 'MN012', CASE WHEN abort
            THEN 'only todo or doing jobs can be aborted'
            ELSE 'only todo jobs can be cancelled (abort a doing job instead)' END);
    END IF;
END;
$$;

-- The jobs a manual retry would return to todo: the job itself (it must be finished), and
-- with_downstream, every finished job that depends on it directly or not. Changes nothing;
-- the console shows this as the preview.
CREATE FUNCTION manana_jobs_to_retry(p_job_id bigint, with_downstream boolean)
    RETURNS TABLE (id bigint, task_name character varying, queue_name character varying,
                   status procrastinate_job_status, depth integer)
    LANGUAGE plpgsql STABLE
AS $$
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
        WHERE with_downstream
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

-- Returns the finished job (and with_downstream, its finished descendants) to todo; they run
-- again in dependency order, as the counts of unfinished parents follow the statuses.
-- History stays in the events ('retried'). Returns the ids it reset.
CREATE FUNCTION manana_retry_job(p_job_id bigint, with_downstream boolean) RETURNS SETOF bigint
    LANGUAGE sql
AS $$
    UPDATE procrastinate_jobs AS job
    SET status = 'todo', scheduled_at = NULL, abort_requested = false, worker_id = NULL, result = NULL
    FROM manana_jobs_to_retry(p_job_id, with_downstream) AS target
    WHERE job.id = target.id AND manana_is_terminal(job.status)
    RETURNING job.id
$$;

-- The operators' delete. Edges go with the job (cascade).
CREATE FUNCTION manana_delete_job(p_job_id bigint) RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    current_status procrastinate_job_status;
BEGIN
    SELECT status INTO current_status FROM procrastinate_jobs WHERE id = p_job_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s does not exist', p_job_id);
    END IF;
    IF current_status = 'doing' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN010', MESSAGE = format('job %s is running: abort it before deleting it', p_job_id);
    END IF;
    IF manana_has_unfinished_children(p_job_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN011', MESSAGE = format(
            'job %s has children that have not finished; they need its status and result', p_job_id);
    END IF;
    DELETE FROM procrastinate_jobs WHERE id = p_job_id;
END;
$$;

-- Retention: deletes jobs in the given terminal statuses whose last event is older than
-- nb_hours, except those an unfinished child still needs. Returns how many it deleted.
CREATE FUNCTION manana_delete_old_jobs(
    nb_hours double precision,
    statuses procrastinate_job_status[] DEFAULT '{succeeded,failed,cancelled,aborted}',
    p_queue_name character varying DEFAULT NULL
) RETURNS bigint
    LANGUAGE sql
AS $$
    WITH deleted AS (
        DELETE FROM procrastinate_jobs AS job
        WHERE job.status = ANY (statuses)
          AND manana_is_terminal(job.status)
          AND (p_queue_name IS NULL OR job.queue_name = p_queue_name)
          AND (SELECT max(event.at) FROM procrastinate_events AS event WHERE event.job_id = job.id)
              < now() - make_interval(secs => nb_hours * 3600)
          AND NOT manana_has_unfinished_children(job.id)
        RETURNING 1
    )
    SELECT count(*) FROM deleted
$$;

-- ---------------------------------------------------------------------------------------
-- What a task reads about its parents
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION manana_get_parent_statuses(p_job_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(jsonb_object_agg(parent.id::text, parent.status), '{}')
    FROM procrastinate_job_dependencies AS edge
    JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
    WHERE edge.job_id = p_job_id
$$;

CREATE FUNCTION manana_get_parent_results(p_job_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
    SELECT coalesce(jsonb_object_agg(parent.id::text, parent.result), '{}')
    FROM procrastinate_job_dependencies AS edge
    JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
    WHERE edge.job_id = p_job_id
$$;

-- ---------------------------------------------------------------------------------------
-- Workers
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION procrastinate_register_worker_v1() RETURNS TABLE (worker_id bigint)
    LANGUAGE sql
AS $$ INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id $$;

CREATE FUNCTION procrastinate_unregister_worker_v1(worker_id bigint) RETURNS void
    LANGUAGE sql
AS $$ DELETE FROM procrastinate_workers WHERE id = $1 $$;

CREATE FUNCTION procrastinate_update_heartbeat_v1(worker_id bigint) RETURNS void
    LANGUAGE sql
AS $$ UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = $1 $$;

CREATE FUNCTION procrastinate_prune_stalled_workers_v1(seconds_since_heartbeat double precision)
    RETURNS TABLE (worker_id bigint)
    LANGUAGE sql
AS $$
    DELETE FROM procrastinate_workers
    WHERE last_heartbeat < now() - make_interval(secs => $1)
    RETURNING id
$$;
