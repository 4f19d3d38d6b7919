-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_defer_periodic_job_v2(_queue_name character varying, _lock character varying, _queueing_lock character varying, _task_name character varying, _priority integer, _periodic_id character varying, _defer_timestamp bigint, _args jsonb)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
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
$function$;
