-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_workflow_status(p_workflow_id bigint)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM procrastinate_jobs WHERE workflow_id = p_workflow_id AND status IN ('todo', 'doing', 'aborting')) THEN 'running'
        WHEN EXISTS (SELECT 1 FROM procrastinate_jobs WHERE workflow_id = p_workflow_id AND status IN ('failed', 'aborted')) THEN 'failed'
        WHEN EXISTS (SELECT 1 FROM procrastinate_jobs WHERE workflow_id = p_workflow_id AND status = 'cancelled') THEN 'cancelled'
        ELSE 'succeeded'
    END
$function$;
