-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_defer_jobs_v1(jobs procrastinate_job_to_defer_v1[])
 RETURNS bigint[]
 LANGUAGE sql
AS $function$ SELECT manana_insert_jobs(jobs, NULL, NULL) $function$;
