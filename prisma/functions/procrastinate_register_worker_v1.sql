-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_register_worker_v1()
 RETURNS TABLE(worker_id bigint)
 LANGUAGE sql
AS $function$ INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id $function$;
