-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_resume_queue(p_queue_name character varying)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
BEGIN
    DELETE FROM manana_paused_queues WHERE queue_name = p_queue_name;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM manana_announce_ready(p_queue_name, NULL);
    RETURN true;
END;
$function$;
