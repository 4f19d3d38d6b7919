-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_compact_task_runs()
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('manana task runs ' || current_schema())) THEN
        RETURN;
    END IF;
    DELETE FROM manana_task_runs WHERE minute < now() - interval '8 days';
    WITH merged AS (
        DELETE FROM manana_task_runs
        WHERE backend <> 0 AND minute < date_trunc('hour', now()) - interval '1 hour'
        RETURNING *
    )
    INSERT INTO manana_task_runs AS stat (minute, task_name, backend, duration_class, runs, failures, retried)
    SELECT date_trunc('hour', minute), task_name, 0, duration_class, sum(runs), sum(failures), sum(retried)
    FROM merged GROUP BY 1, 2, 4
    ON CONFLICT (minute, task_name, backend, duration_class) DO UPDATE
    SET runs = stat.runs + excluded.runs, failures = stat.failures + excluded.failures, retried = stat.retried + excluded.retried;
END;
$function$;
