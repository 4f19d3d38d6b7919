-- Schedules an operator can see, run now and pause. Workers announce their periodic tasks
-- (cron, queue, arguments) as they register; a schedule seen only in its ticks (a Python
-- worker's) is known by its task and periodic id. A paused schedule defers no tick, whoever's
-- worker reaches it: the rule is in procrastinate_defer_periodic_job_v2, which Python workers
-- call too.
--
-- Error codes added here: MN020 schedule_not_found.

CREATE TABLE manana_schedules (
    task_name character varying(128) NOT NULL,
    periodic_id character varying(128) NOT NULL DEFAULT '',
    cron text NOT NULL,
    queue_name character varying(128) NOT NULL,
    args jsonb NOT NULL DEFAULT '{}',
    announced_at timestamp with time zone NOT NULL,
    PRIMARY KEY (task_name, periodic_id)
);

CREATE TABLE manana_paused_schedules (
    task_name character varying(128) NOT NULL,
    periodic_id character varying(128) NOT NULL DEFAULT '',
    paused_at timestamp with time zone NOT NULL DEFAULT now(),
    paused_by text,
    PRIMARY KEY (task_name, periodic_id)
);

CREATE FUNCTION manana_announce_schedules(p_schedules jsonb) RETURNS void
    LANGUAGE sql
AS $$
    INSERT INTO manana_schedules (task_name, periodic_id, cron, queue_name, args, announced_at)
    SELECT schedule->>'task_name', coalesce(schedule->>'periodic_id', ''), schedule->>'cron', schedule->>'queue_name',
           coalesce(schedule->'args', '{}'), now()
    FROM jsonb_array_elements(coalesce(p_schedules, '[]')) AS schedule
    ORDER BY 1, 2
    ON CONFLICT (task_name, periodic_id) DO UPDATE
    SET cron = excluded.cron, queue_name = excluded.queue_name, args = excluded.args, announced_at = excluded.announced_at
$$;

-- Whether a schedule is known: announced by a worker, or seen in its ticks.
CREATE FUNCTION manana_schedule_is_known(p_task_name text, p_periodic_id text) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM manana_schedules WHERE task_name = p_task_name AND periodic_id = p_periodic_id)
        OR EXISTS (SELECT 1 FROM procrastinate_periodic_defers WHERE task_name = p_task_name AND periodic_id = p_periodic_id)
$$;

-- Pauses a schedule (no tick is deferred until it is resumed); false when it was paused already.
CREATE FUNCTION manana_pause_schedule(p_task_name text, p_periodic_id text, p_by text) RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT manana_schedule_is_known(p_task_name, coalesce(p_periodic_id, '')) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN020', MESSAGE = format(
            'no worker announced a schedule of task %s%s, and none ticked', p_task_name,
            CASE WHEN coalesce(p_periodic_id, '') = '' THEN '' ELSE format(' (periodic id %s)', p_periodic_id) END);
    END IF;
    INSERT INTO manana_paused_schedules (task_name, periodic_id, paused_by)
    VALUES (p_task_name, coalesce(p_periodic_id, ''), p_by)
    ON CONFLICT DO NOTHING;
    RETURN FOUND;
END;
$$;

-- Resumes a paused schedule; false when it was not paused. Ticks missed meanwhile are not made up.
CREATE FUNCTION manana_resume_schedule(p_task_name text, p_periodic_id text) RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM manana_paused_schedules WHERE task_name = p_task_name AND periodic_id = coalesce(p_periodic_id, '');
    RETURN FOUND;
END;
$$;

-- As before, and a paused schedule's tick is not deferred (NULL, as a tick deferred already).
CREATE OR REPLACE FUNCTION procrastinate_defer_periodic_job_v2(
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
    IF EXISTS (SELECT 1 FROM manana_paused_schedules WHERE task_name = _task_name AND periodic_id = _periodic_id) THEN
        RETURN NULL;
    END IF;
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
