-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_check_workflow_room(p_spawner_id bigint, p_workflow_id bigint, adding integer)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    held bigint := CASE WHEN p_workflow_id IS NULL THEN 1 ELSE (SELECT count(*) FROM procrastinate_jobs WHERE workflow_id = p_workflow_id) END;
BEGIN
    IF held + adding > 10000 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN021', MESSAGE = format(
            'job %s spawned %s job(s): its workflow%s, which holds %s, would hold more than the 10,000 jobs a workflow may',
            p_spawner_id, adding, coalesce(' ' || p_workflow_id, ''), held);
    END IF;
END;
$function$;
