-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_jobs_inserted()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO procrastinate_events (job_id, type)
    SELECT id, 'deferred' FROM new_jobs WHERE status = 'todo' ORDER BY id;
    INSERT INTO procrastinate_events (job_id, type, at)
    SELECT id, 'scheduled', scheduled_at FROM new_jobs WHERE status = 'todo' AND scheduled_at IS NOT NULL ORDER BY id;
    PERFORM manana_announce_ready(queue_name, min(id)) FROM new_jobs
    WHERE status = 'todo' AND unfinished_parents = 0
    GROUP BY queue_name;
    RETURN NULL;
END;
$function$;
