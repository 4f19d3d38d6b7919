-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_announce_schedules(p_schedules jsonb)
 RETURNS void
 LANGUAGE sql
AS $function$
    INSERT INTO manana_schedules (task_name, periodic_id, cron, queue_name, args, announced_at)
    SELECT schedule->>'task_name', coalesce(schedule->>'periodic_id', ''), schedule->>'cron', schedule->>'queue_name',
           coalesce(schedule->'args', '{}'), now()
    FROM jsonb_array_elements(coalesce(p_schedules, '[]')) AS schedule
    ORDER BY 1, 2
    ON CONFLICT (task_name, periodic_id) DO UPDATE
    SET cron = excluded.cron, queue_name = excluded.queue_name, args = excluded.args, announced_at = excluded.announced_at
$function$;
