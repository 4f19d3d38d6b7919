-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_apply_run_when(p_job_ids bigint[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
$function$;
