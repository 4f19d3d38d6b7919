-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_pause_schedule(p_task_name text, p_periodic_id text, p_by text)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF NOT manana_schedule_is_known(p_task_name, coalesce(p_periodic_id, '')) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN020', MESSAGE = format(
            'no worker announced a schedule of task %s%s, and none ticked', p_task_name,
            CASE WHEN coalesce(p_periodic_id, '') = '' THEN '' ELSE format(' (periodic id %s)', p_periodic_id) END);
    END IF;
    INSERT INTO manana_paused_schedules (task_name, periodic_id, paused_by)
    VALUES (p_task_name, coalesce(p_periodic_id, ''), p_by)
    ON CONFLICT DO NOTHING;
    RETURN FOUND;
END;
$function$;
