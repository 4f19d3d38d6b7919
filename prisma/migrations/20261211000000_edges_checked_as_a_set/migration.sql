-- A DAG's edges were checked row by row by their two foreign keys to procrastinate_jobs: for each
-- edge, a query for its child and one for its parent, each with a share lock. Deferring a
-- 10,000-job DAG (19,996 edges) spent about a third of its 700 ms there. The edge trigger that
-- counts unfinished parents already locks each parent once (and recounts each child): it now also
-- says when a job an edge names does not exist, for every writer, and statement triggers on
-- procrastinate_jobs delete the edges of deleted jobs, as the foreign keys' cascades did (the
-- events lost theirs the same way in 20261203100000).
--
-- Error codes added here: none. An edge onto a parent that does not exist raises MN004 (as
-- deferring onto one already did when it saw it first), onto a child that does not, MN007.

ALTER TABLE procrastinate_job_dependencies DROP CONSTRAINT IF EXISTS procrastinate_job_dependencies_job_id_fkey;
ALTER TABLE procrastinate_job_dependencies DROP CONSTRAINT IF EXISTS procrastinate_job_dependencies_depends_on_job_id_fkey;

CREATE OR REPLACE FUNCTION manana_count_new_edges() RETURNS trigger
    LANGUAGE plpgsql
AS $$
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
$$;

-- What hangs off a job without a foreign key goes with it, by one trigger for every writer: its
-- events, and its edges both ways (its children's counts are recounted by the edges' own
-- trigger). These replace the events' triggers of 20261203100000.
DROP TRIGGER manana_delete_events_of_deleted_jobs ON procrastinate_jobs;
DROP FUNCTION manana_delete_events_of_deleted_jobs();
DROP TRIGGER manana_truncate_events_of_truncated_jobs ON procrastinate_jobs;
DROP FUNCTION manana_truncate_events_of_truncated_jobs();

CREATE FUNCTION manana_delete_what_deleted_jobs_had() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM procrastinate_events WHERE job_id IN (SELECT id FROM deleted_jobs);
    DELETE FROM procrastinate_job_dependencies WHERE job_id IN (SELECT id FROM deleted_jobs);
    DELETE FROM procrastinate_job_dependencies WHERE depends_on_job_id IN (SELECT id FROM deleted_jobs);
    RETURN NULL;
END;
$$;

CREATE TRIGGER manana_delete_what_deleted_jobs_had
    AFTER DELETE ON procrastinate_jobs
    REFERENCING OLD TABLE AS deleted_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION manana_delete_what_deleted_jobs_had();

-- And with a TRUNCATE of the jobs (DELETEs: a TRUNCATE here fails when the same statement
-- truncates those tables too).
CREATE FUNCTION manana_delete_what_truncated_jobs_had() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM procrastinate_events;
    DELETE FROM procrastinate_job_dependencies;
    RETURN NULL;
END;
$$;

CREATE TRIGGER manana_delete_what_truncated_jobs_had
    AFTER TRUNCATE ON procrastinate_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION manana_delete_what_truncated_jobs_had();
