-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_has_live_worker(p_queue_name character varying, p_task_name character varying, alive_seconds double precision)
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
    SELECT EXISTS (
        SELECT 1 FROM procrastinate_workers AS worker
        WHERE worker.last_heartbeat > now() - make_interval(secs => alive_seconds)
          AND (worker.queues IS NULL OR p_queue_name = ANY (worker.queues))
          AND (p_task_name IS NULL OR worker.task_names IS NULL OR p_task_name = ANY (worker.task_names)))
$function$;
