-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_delete_what_truncated_jobs_had()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    DELETE FROM procrastinate_events;
    DELETE FROM procrastinate_job_dependencies;
    RETURN NULL;
END;
$function$;
