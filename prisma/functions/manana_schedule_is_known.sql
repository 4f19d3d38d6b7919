-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_schedule_is_known(p_task_name text, p_periodic_id text)
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
    SELECT EXISTS (SELECT 1 FROM manana_schedules WHERE task_name = p_task_name AND periodic_id = p_periodic_id)
        OR EXISTS (SELECT 1 FROM procrastinate_periodic_defers WHERE task_name = p_task_name AND periodic_id = p_periodic_id)
$function$;
