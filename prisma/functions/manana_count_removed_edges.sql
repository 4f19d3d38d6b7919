-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_count_removed_edges()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM manana_recount_unfinished_parents(ARRAY(SELECT DISTINCT job_id FROM old_edges));
    RETURN NULL;
END;
$function$;
