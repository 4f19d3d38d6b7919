-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_forget_spawned(p_job_ids bigint[])
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
DECLARE
    subtree bigint[];
    running bigint;
BEGIN
    WITH RECURSIVE spawned (id) AS (
        SELECT job.id FROM procrastinate_jobs AS job WHERE job.spawned_by = ANY (p_job_ids)
        UNION
        SELECT job.id FROM procrastinate_jobs AS job JOIN spawned ON job.spawned_by = spawned.id
    )
    SELECT array_agg(spawned.id) INTO subtree FROM spawned;
    IF subtree IS NULL THEN
        RETURN 0;
    END IF;
    SELECT job.id INTO running FROM procrastinate_jobs AS job WHERE job.id = ANY (subtree) AND job.status = 'doing' ORDER BY job.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'MN008', MESSAGE = format(
            'job %s, spawned by a job to be run again, is running: run it again once that job has finished (or abort it)', running);
    END IF;
    DELETE FROM procrastinate_jobs WHERE id = ANY (subtree);
    RETURN cardinality(subtree);
END;
$function$;
