-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_keep_needed_parents()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF manana_has_unfinished_children(OLD.id) THEN
        RETURN NULL;
    END IF;
    RETURN OLD;
END;
$function$;
