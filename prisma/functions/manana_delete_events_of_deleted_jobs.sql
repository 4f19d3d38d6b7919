-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_delete_events_of_deleted_jobs()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    DELETE FROM procrastinate_events WHERE job_id IN (SELECT id FROM deleted_jobs);
    RETURN NULL;
END;
$function$;
