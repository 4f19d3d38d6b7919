-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_resume_schedule(p_task_name text, p_periodic_id text)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
BEGIN
    DELETE FROM manana_paused_schedules WHERE task_name = p_task_name AND periodic_id = coalesce(p_periodic_id, '');
    RETURN FOUND;
END;
$function$;
