-- Each attempt's end counts its task's runs by run-time class (manana_task_runs). The class was
-- computed by manana_duration_class() on an argument that read the attempt's start with a
-- subquery: PostgreSQL does not inline a SQL function given a subquery for a parameter (this one
-- is used three times), so every end called it as a function (70 µs, 4% of a DAG hop). The start
-- is read first now, in a materialized CTE, and the function is inlined.
--
-- Error codes added here: none.

CREATE OR REPLACE FUNCTION manana_count_task_runs(ids bigint[], statuses_before procrastinate_job_status[], statuses_after procrastinate_job_status[], attempts_before integer[], attempts_after integer[], task_names text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    made_a_row boolean;
BEGIN
    -- Materialized: its run time stays a column, so the class below is inlined.
    WITH ended AS MATERIALIZED (
        SELECT change.id, change.task_name, change.after = 'failed' AS failed, change.after = 'todo' AS retried,
               now() - (SELECT max(event.at) FROM procrastinate_events AS event
                        WHERE event.job_id = change.id AND event.type = 'started') AS ran
        FROM unnest(ids, statuses_before, statuses_after, attempts_before, attempts_after, task_names)
             AS change (id, before, after, attempts_before, attempts_after, task_name)
        WHERE change.before = 'doing' AND change.attempts_after > change.attempts_before
    ), counted AS (
        INSERT INTO manana_task_runs AS stat (minute, task_name, backend, duration_class, runs, failures, retried)
        SELECT date_trunc('minute', now()), ended.task_name, pg_backend_pid(), manana_duration_class(ended.ran) AS duration_class,
               count(*), count(*) FILTER (WHERE ended.failed), count(*) FILTER (WHERE ended.retried)
        FROM ended
        GROUP BY 2, 4
        ORDER BY 2, 4
        ON CONFLICT (minute, task_name, backend, duration_class) DO UPDATE
        SET runs = stat.runs + excluded.runs, failures = stat.failures + excluded.failures, retried = stat.retried + excluded.retried
        RETURNING xmax = 0 AS inserted
    )
    SELECT bool_or(inserted) INTO made_a_row FROM counted;
    -- A few times a minute at most.
    IF made_a_row THEN
        PERFORM manana_compact_task_runs();
    END IF;
END;
$function$;
