-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_count_new_edges()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    -- Lock the parents against status changes until we commit: a parent finishing (or being
    -- retried) concurrently would otherwise not see these uncommitted edges and leave the
    -- child's count wrong forever.
    PERFORM 1 FROM procrastinate_jobs
    WHERE id IN (SELECT DISTINCT depends_on_job_id FROM new_edges)
    ORDER BY id
    FOR SHARE;
    PERFORM manana_recount_unfinished_parents(ARRAY(SELECT DISTINCT job_id FROM new_edges));
    RETURN NULL;
END;
$function$;
