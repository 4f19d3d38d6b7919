-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_delete_what_deleted_jobs_had()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    DELETE FROM procrastinate_events WHERE job_id IN (SELECT id FROM deleted_jobs);
    DELETE FROM procrastinate_job_dependencies WHERE job_id IN (SELECT id FROM deleted_jobs);
    DELETE FROM procrastinate_job_dependencies WHERE depends_on_job_id IN (SELECT id FROM deleted_jobs);
    RETURN NULL;
END;
$function$;
