-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_has_unfinished_children(p_job_id bigint)
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
    SELECT EXISTS (
        SELECT 1 FROM procrastinate_job_dependencies AS edge
        JOIN procrastinate_jobs AS child ON child.id = edge.job_id
        WHERE edge.depends_on_job_id = p_job_id AND NOT manana_is_terminal(child.status)
    )
$function$;
