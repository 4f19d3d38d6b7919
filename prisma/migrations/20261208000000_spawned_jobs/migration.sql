-- Jobs a running job spawns (ctx.spawn / ctx.spawnMany, a definition's map steps): deferred in the
-- transaction that records its success, into its workflow, each a child of it. Every job that
-- depends on the spawner also waits for them: edges spawned → dependent, counted by the edge
-- trigger before the spawner's end lowers the dependents' counts, so no dependent is ever ready
-- without them. A failure, an abort, a release and a dead worker spawn nothing (the spawns travel
-- with the success only), and a retried attempt starts from nothing. A workflow holds at most
-- 10,000 jobs, spawned ones included: more is refused (MN021 workflow_too_large), and so is the
-- attempt that spawned them.

-- Which job spawned a job: a retried spawner forgets what it spawned, and spawns afresh.
ALTER TABLE procrastinate_jobs ADD COLUMN spawned_by bigint;
CREATE INDEX manana_jobs_spawned_by_idx ON procrastinate_jobs (spawned_by) WHERE spawned_by IS NOT NULL;

-- Whether a workflow has room for `adding` more jobs (a lone job's would-be workflow holds it
-- alone): at most 10,000, spawned ones included; MN021 workflow_too_large when not.
CREATE FUNCTION manana_check_workflow_room(p_spawner_id bigint, p_workflow_id bigint, adding integer)
    RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    held bigint := CASE WHEN p_workflow_id IS NULL THEN 1 ELSE (SELECT count(*) FROM procrastinate_jobs WHERE workflow_id = p_workflow_id) END;
BEGIN
    IF held + adding > 10000 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN021', MESSAGE = format(
            'job %s spawned %s job(s): its workflow%s, which holds %s, would hold more than the 10,000 jobs a workflow may',
            p_spawner_id, adding, coalesce(' ' || p_workflow_id, ''), held);
    END IF;
END;
$$;

CREATE FUNCTION manana_spawn_jobs(p_parent_id bigint, jobs jsonb)
    RETURNS SETOF bigint
    LANGUAGE plpgsql
AS $$
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
$$;

CREATE OR REPLACE FUNCTION manana_end_attempts(outcomes jsonb)
 RETURNS TABLE(job_id bigint, ended boolean)
 LANGUAGE plpgsql
AS $$
DECLARE
    item jsonb;
    succeeded_ids bigint[];
    succeeded_results jsonb[];
    finished bigint[];
    marked bigint[];
    given_ids bigint[];
    given_workers bigint[];
    given_results jsonb[];
    spawning boolean;
    refused bigint[] := '{}';
    refusals jsonb[] := '{}';
BEGIN
    IF jsonb_typeof(outcomes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = 'manana_end_attempts takes a JSON array of outcomes';
    END IF;
    -- Every row the batch will change, locked before any change and in one order: its own jobs,
    -- then, by id, the children whose counters its ends move. (Its jobs are doing, so none of
    -- them is another batch's child.) Two batches sharing children then wait for each other.
    PERFORM 1 FROM procrastinate_jobs
    WHERE id = ANY (ARRAY(SELECT (value->>'id')::bigint FROM jsonb_array_elements(outcomes)))
    ORDER BY id
    FOR UPDATE;
    PERFORM 1 FROM procrastinate_jobs
    WHERE id = ANY (ARRAY(
        SELECT edge.job_id FROM procrastinate_job_dependencies AS edge
        WHERE edge.depends_on_job_id = ANY (ARRAY(
            SELECT (value->>'id')::bigint FROM jsonb_array_elements(outcomes)
            WHERE value->>'outcome' IS DISTINCT FROM 'started'))))
    ORDER BY id
    FOR NO KEY UPDATE;
    -- Starts of jobs claimed ahead.
    SELECT array_agg((value->>'id')::bigint), array_agg((value->>'worker_id')::bigint)
    INTO given_ids, given_workers
    FROM jsonb_array_elements(outcomes) WHERE value->>'outcome' = 'started';
    IF given_ids IS NOT NULL THEN
        WITH started AS (
            UPDATE procrastinate_jobs AS job SET claimed_ahead = false
            WHERE job.id = ANY (given_ids)
              AND job.status = 'doing' AND job.worker_id IS NOT DISTINCT FROM given_workers[array_position(given_ids, job.id)]
            RETURNING job.id
        )
        SELECT array_agg(id) INTO marked FROM started;
        RETURN QUERY
        SELECT (given.value->>'id')::bigint, (given.value->>'id')::bigint = ANY (coalesce(marked, '{}'))
        FROM jsonb_array_elements(outcomes) AS given
        WHERE given.value->>'outcome' = 'started';
    END IF;
    -- Successes together: those still doing for their worker, locked in id order, finished at once.
    SELECT array_agg((value->>'id')::bigint), array_agg((value->>'worker_id')::bigint), array_agg(value->'result'), coalesce(bool_or(value ? 'spawn'), false)
    INTO given_ids, given_workers, given_results, spawning
    FROM jsonb_array_elements(outcomes) WHERE value->>'outcome' = 'succeeded';
    SELECT array_agg(ours.id ORDER BY ours.id), array_agg(given_results[array_position(given_ids, ours.id)] ORDER BY ours.id)
    INTO succeeded_ids, succeeded_results
    FROM (
        SELECT job.id, job.worker_id
        FROM procrastinate_jobs AS job
        WHERE job.id = ANY (given_ids) AND job.status = 'doing'
        ORDER BY job.id
        FOR UPDATE
    ) AS ours
    WHERE ours.worker_id IS NOT DISTINCT FROM given_workers[array_position(given_ids, ours.id)];
    -- The jobs successes spawned, before the successes are recorded: the dependents count them
    -- first. Each success's spawn is a subtransaction of its own: one refused (too many for its
    -- workflow, a bad job) fails that attempt, not retried (it would spawn the same again), and
    -- the rest of the batch goes on.
    IF spawning THEN
        FOR item IN
            SELECT value FROM jsonb_array_elements(outcomes)
            WHERE value->>'outcome' = 'succeeded' AND jsonb_array_length(coalesce(value->'spawn', '[]')) > 0
              AND (value->>'id')::bigint = ANY (coalesce(succeeded_ids, '{}'))
            ORDER BY (value->>'id')::bigint
        LOOP
            BEGIN
                PERFORM manana_spawn_jobs((item->>'id')::bigint, item->'spawn');
            EXCEPTION WHEN OTHERS THEN
                IF left(SQLSTATE, 2) <> 'MN' THEN
                    RAISE;
                END IF;
                refused := refused || (item->>'id')::bigint;
                refusals := refusals || jsonb_build_object('message', format('its task succeeded, but the jobs it spawned were refused: %s', SQLERRM), 'stack', NULL);
            END;
        END LOOP;
        IF cardinality(refused) > 0 THEN
            SELECT array_agg(ok.id ORDER BY ok.id), array_agg(ok.result ORDER BY ok.id) INTO succeeded_ids, succeeded_results
            FROM unnest(succeeded_ids, succeeded_results) AS ok (id, result) WHERE ok.id <> ALL (refused);
            RETURN QUERY
            SELECT spawner.id, manana_end_attempt(spawner.id, job.worker_id, 'failed', NULL, spawner.error, NULL)
            FROM unnest(refused, refusals) AS spawner (id, error) JOIN procrastinate_jobs AS job ON job.id = spawner.id;
        END IF;
    END IF;
    SELECT array_agg(id) INTO finished FROM manana_finish_jobs(succeeded_ids, 'succeeded', succeeded_results, false) AS id;
    RETURN QUERY
    SELECT (given.value->>'id')::bigint, (given.value->>'id')::bigint = ANY (coalesce(finished, '{}'))
    FROM jsonb_array_elements(outcomes) AS given
    WHERE given.value->>'outcome' = 'succeeded' AND (given.value->>'id')::bigint <> ALL (refused);
    -- Every other outcome (failures with their errors and retries, aborts, releases), one by one.
    FOR item IN
        SELECT value FROM jsonb_array_elements(outcomes)
        WHERE value->>'outcome' IS DISTINCT FROM 'succeeded' AND value->>'outcome' IS DISTINCT FROM 'started'
        ORDER BY (value->>'id')::bigint
    LOOP
        job_id := (item->>'id')::bigint;
        ended := manana_end_attempt(
            job_id,
            (item->>'worker_id')::bigint,
            item->>'outcome',
            item->'result',
            item->'error',
            (item->>'retry_in')::double precision);
        RETURN NEXT;
    END LOOP;
END;
$$;

-- "Why is this job not running?" counts a map step's items: waiting for 12 of 37 process items.
CREATE OR REPLACE FUNCTION manana_explain_job(p_job_id bigint, worker_alive_seconds double precision DEFAULT 30)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
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
        -- Parents spawned together (keys key[0], key[1], …: a map step's items) are counted by
        -- their key, the others named.
        reasons := reasons || (
            WITH parent AS MATERIALIZED (
                SELECT parent.id, parent.task_name, parent.status, NOT manana_is_terminal(parent.status) AS waiting,
                       substring(parent.step_key FROM '^(.*)\[\d+\]$') AS spawned_as
                FROM procrastinate_job_dependencies AS edge
                JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
                WHERE edge.job_id = job.id
            )
            SELECT jsonb_build_object(
                'kind', 'waiting_on_parents',
                'parents', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'task', task_name, 'status', status) ORDER BY id), '[]')
                            FROM parent WHERE waiting AND spawned_as IS NULL),
                'spawned', (SELECT coalesce(jsonb_agg(jsonb_build_object('key', spawned_as, 'waiting', waiting, 'of', total) ORDER BY spawned_as), '[]')
                            FROM (SELECT spawned_as, count(*) FILTER (WHERE waiting) AS waiting, count(*) AS total
                                  FROM parent WHERE spawned_as IS NOT NULL GROUP BY spawned_as) AS item
                            WHERE item.waiting > 0)));
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
    SELECT queue.paused_at, queue.paused_by, queue.reason INTO blocker FROM manana_paused_queues AS queue WHERE queue.queue_name = job.queue_name;
    IF FOUND THEN
        reasons := reasons || jsonb_build_object('kind', 'queue_paused', 'queue', job.queue_name, 'since', blocker.paused_at, 'by', blocker.paused_by, 'reason', blocker.reason);
    END IF;
    IF NOT manana_has_live_worker(job.queue_name, NULL, worker_alive_seconds) THEN
        reasons := reasons || jsonb_build_object('kind', 'no_worker', 'queue', job.queue_name);
    ELSIF NOT manana_has_live_worker(job.queue_name, job.task_name, worker_alive_seconds) THEN
        reasons := reasons || jsonb_build_object('kind', 'no_worker_with_task', 'queue', job.queue_name, 'task', job.task_name);
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

-- A job run again (a retry, alone or with its downstream, or its workflow's) starts from nothing:
-- the jobs it spawned before, and those they spawned, are deleted (none may be running), and
-- retries do not run them again themselves. Its new run spawns afresh.
CREATE FUNCTION manana_forget_spawned(p_job_ids bigint[])
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    subtree bigint[];
    running bigint;
BEGIN
    WITH RECURSIVE spawned (id) AS (
        SELECT job.id FROM procrastinate_jobs AS job WHERE job.spawned_by = ANY (p_job_ids)
        UNION
        SELECT job.id FROM procrastinate_jobs AS job JOIN spawned ON job.spawned_by = spawned.id
    )
    SELECT array_agg(spawned.id) INTO subtree FROM spawned;
    IF subtree IS NULL THEN
        RETURN 0;
    END IF;
    SELECT job.id INTO running FROM procrastinate_jobs AS job WHERE job.id = ANY (subtree) AND job.status = 'doing' ORDER BY job.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN008', MESSAGE = format(
            'job %s, spawned by a job to be run again, is running: run it again once that job has finished (or abort it)', running);
    END IF;
    DELETE FROM procrastinate_jobs WHERE id = ANY (subtree);
    RETURN cardinality(subtree);
END;
$$;

CREATE OR REPLACE FUNCTION manana_jobs_to_retry(p_job_id bigint, with_downstream boolean)
    RETURNS TABLE(id bigint, task_name character varying, queue_name character varying, status procrastinate_job_status, depth integer)
    LANGUAGE plpgsql
    STABLE
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
        JOIN procrastinate_jobs AS child ON child.id = edge.job_id
        -- What a job run again spawned is deleted, not run again: its new run spawns afresh.
        WHERE with_downstream AND child.spawned_by IS DISTINCT FROM downstream.id
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

CREATE OR REPLACE FUNCTION manana_workflow_jobs_to_retry(p_workflow_id bigint)
    RETURNS TABLE(id bigint, task_name character varying, queue_name character varying, status procrastinate_job_status, depth integer)
    LANGUAGE plpgsql
    STABLE
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
$$;

CREATE OR REPLACE FUNCTION manana_retry_job(p_job_id bigint, with_downstream boolean)
    RETURNS SETOF bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    targets bigint[] := ARRAY(SELECT target.id FROM manana_jobs_to_retry(p_job_id, with_downstream) AS target);
BEGIN
    PERFORM manana_forget_spawned(targets);
    RETURN QUERY
    UPDATE procrastinate_jobs AS job
    SET status = 'todo', scheduled_at = NULL, abort_requested = false, worker_id = NULL, result = NULL
    WHERE job.id = ANY (targets) AND manana_is_terminal(job.status)
    RETURNING job.id;
END;
$$;

CREATE OR REPLACE FUNCTION manana_retry_workflow(p_workflow_id bigint)
    RETURNS SETOF bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    targets bigint[] := ARRAY(SELECT target.id FROM manana_workflow_jobs_to_retry(p_workflow_id) AS target);
BEGIN
    PERFORM manana_forget_spawned(targets);
    RETURN QUERY
    UPDATE procrastinate_jobs AS job
    SET status = 'todo', scheduled_at = NULL, abort_requested = false, worker_id = NULL, result = NULL
    WHERE job.id = ANY (targets) AND manana_is_terminal(job.status)
    RETURNING job.id;
END;
$$;

-- A Python task's spawns (manana_procrastinate's context.spawn_async()), kept until its attempt
-- ends: upstream's worker ends a job with procrastinate_finish_job_v1, which applies them with a
-- success of that attempt, in its transaction, and drops them otherwise. A worker that dies
-- leaves them here, stale, never applied: a later attempt replaces them.
CREATE TABLE manana_pending_spawns (
    job_id bigint PRIMARY KEY REFERENCES procrastinate_jobs (id) ON DELETE CASCADE,
    -- The job's attempts when they were spawned: its running attempt's, less one.
    attempt integer NOT NULL,
    jobs jsonb NOT NULL
);

CREATE FUNCTION manana_add_pending_spawns(p_job_id bigint, jobs jsonb)
    RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    job procrastinate_jobs;
    spawning integer;
BEGIN
    IF jsonb_typeof(jobs) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'the spawned jobs must be a JSON array';
    END IF;
    SELECT * INTO job FROM procrastinate_jobs WHERE id = p_job_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job %s not found', p_job_id);
    END IF;
    IF job.status <> 'doing' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = format('job %s is %s: only a running job spawns jobs', p_job_id, job.status);
    END IF;
    INSERT INTO manana_pending_spawns AS pending (job_id, attempt, jobs) VALUES (p_job_id, job.attempts, jobs)
    ON CONFLICT (job_id) DO UPDATE
    SET jobs = CASE WHEN pending.attempt = EXCLUDED.attempt THEN pending.jobs || EXCLUDED.jobs ELSE EXCLUDED.jobs END,
        attempt = EXCLUDED.attempt
    RETURNING jsonb_array_length(pending.jobs) INTO spawning;
    -- Too many is said now, to the task (its attempt fails as any other failure); the end checks again.
    PERFORM manana_check_workflow_room(p_job_id, job.workflow_id, spawning);
END;
$$;

CREATE OR REPLACE FUNCTION procrastinate_finish_job_v1(job_id bigint, end_status procrastinate_job_status, delete_job boolean)
    RETURNS void
    LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    pending manana_pending_spawns;
    job procrastinate_jobs;
BEGIN
    DELETE FROM manana_pending_spawns WHERE manana_pending_spawns.job_id = $1 RETURNING * INTO pending;
    IF pending.job_id IS NOT NULL AND end_status = 'succeeded' THEN
        SELECT * INTO job FROM procrastinate_jobs WHERE id = $1;
        IF pending.attempt = job.attempts THEN
            BEGIN
                PERFORM manana_spawn_jobs($1, pending.jobs);
            EXCEPTION WHEN OTHERS THEN
                IF left(SQLSTATE, 2) <> 'MN' THEN
                    RAISE;
                END IF;
                -- Refused: the attempt fails, saying why, and spawns nothing.
                INSERT INTO manana_job_errors (job_id, attempt, worker_id, message, stack)
                VALUES ($1, job.attempts + 1, job.worker_id, format('its task succeeded, but the jobs it spawned were refused: %s', SQLERRM), NULL)
                ON CONFLICT (job_id, attempt) DO UPDATE SET message = EXCLUDED.message, stack = NULL, at = now();
                PERFORM manana_finish_job($1, 'failed', NULL, $3);
                RETURN;
            END;
        END IF;
    END IF;
    PERFORM manana_finish_job($1, $2, NULL, $3);
END;
$$;
