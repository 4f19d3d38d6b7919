-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_queue_is_known(p_queue_name character varying)
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
    SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE queue_name = p_queue_name)
        OR EXISTS (SELECT 1 FROM manana_tasks WHERE queue_name = p_queue_name)
        OR EXISTS (SELECT 1 FROM procrastinate_workers WHERE p_queue_name = ANY (queues))
        OR EXISTS (SELECT 1 FROM manana_paused_queues WHERE queue_name = p_queue_name)
$function$;
