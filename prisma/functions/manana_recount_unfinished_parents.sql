-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_recount_unfinished_parents(child_ids bigint[])
 RETURNS void
 LANGUAGE sql
AS $function$
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
$function$;
