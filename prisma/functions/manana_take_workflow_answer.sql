-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_take_workflow_answer(p_request bigint)
 RETURNS jsonb
 LANGUAGE sql
AS $function$
    DELETE FROM manana_workflow_requests WHERE id = p_request RETURNING answer
$function$;
