-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_count_new_edges()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    missing bigint[];
BEGIN
    -- Lock the parents against status changes until we commit: a parent finishing (or being
    -- retried) concurrently would otherwise not see these uncommitted edges and leave the
    -- child's count wrong forever. A parent deleted before (or while we waited for it) is not
    -- found.
    -- (Each job through the primary key, as = ANY of an array: without statistics, a join once
    -- read the whole table.)
    WITH locked AS (
        SELECT job.id FROM procrastinate_jobs AS job
        WHERE job.id = ANY (ARRAY(SELECT DISTINCT depends_on_job_id FROM new_edges))
        ORDER BY job.id
        FOR SHARE
    )
    SELECT array_agg(DISTINCT edge.depends_on_job_id ORDER BY edge.depends_on_job_id) INTO missing
    FROM new_edges AS edge WHERE edge.depends_on_job_id NOT IN (SELECT id FROM locked);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'MN004', MESSAGE = format('parent job(s) %s do not exist', array_to_string(missing[1:10], ', '));
    END IF;
    -- The children are kept from being deleted until we commit (a deletion then takes the edges).
    WITH locked AS (
        SELECT job.id FROM procrastinate_jobs AS job
        WHERE job.id = ANY (ARRAY(SELECT DISTINCT job_id FROM new_edges))
        ORDER BY job.id
        FOR KEY SHARE
    )
    SELECT array_agg(DISTINCT edge.job_id ORDER BY edge.job_id) INTO missing
    FROM new_edges AS edge WHERE edge.job_id NOT IN (SELECT id FROM locked);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'MN007', MESSAGE = format('job(s) %s do not exist: an edge needs its child', array_to_string(missing[1:10], ', '));
    END IF;
    PERFORM manana_recount_unfinished_parents(ARRAY(SELECT DISTINCT job_id FROM new_edges));
    RETURN NULL;
END;
$function$;
