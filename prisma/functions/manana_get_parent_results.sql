-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_get_parent_results(p_job_id bigint)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
AS $function$
    SELECT coalesce(jsonb_object_agg(parent.id::text, parent.result), '{}')
    FROM procrastinate_job_dependencies AS edge
    JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
    WHERE edge.job_id = p_job_id
$function$;
