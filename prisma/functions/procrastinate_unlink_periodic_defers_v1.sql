-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_unlink_periodic_defers_v1()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    UPDATE procrastinate_periodic_defers SET job_id = NULL WHERE job_id = OLD.id;
    RETURN OLD;
END;
$function$;
