-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_request_worker_stop(p_worker_id bigint, p_by text)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
BEGIN
    UPDATE procrastinate_workers SET stop_requested_at = now(), stop_requested_by = p_by
    WHERE id = p_worker_id AND stop_requested_at IS NULL;
    IF FOUND THEN
        RETURN true;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM procrastinate_workers WHERE id = p_worker_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN019', MESSAGE = format('worker %s is not registered (it stopped, or was never started)', p_worker_id);
    END IF;
    RETURN false;
END;
$function$;
