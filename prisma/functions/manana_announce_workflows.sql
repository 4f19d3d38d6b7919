-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_announce_workflows(p_workflows jsonb)
 RETURNS void
 LANGUAGE sql
AS $function$
    INSERT INTO manana_workflow_definitions (name, input_schema, announced_at)
    SELECT workflow->>'name', workflow->'input_schema', now()
    FROM jsonb_array_elements(coalesce(p_workflows, '[]')) AS workflow
    ORDER BY 1
    ON CONFLICT (name) DO UPDATE SET input_schema = excluded.input_schema, announced_at = excluded.announced_at
$function$;
