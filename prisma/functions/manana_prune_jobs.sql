-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_prune_jobs(older_than_seconds double precision, statuses procrastinate_job_status[], p_queue_name character varying, after_id bigint, batch integer, dry_run boolean DEFAULT false)
 RETURNS TABLE(deleted bigint, last_id bigint)
 LANGUAGE plpgsql
AS $function$
DECLARE
    examined bigint[];
    chosen bigint[];
BEGIN
    IF batch IS NULL OR batch < 1 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN015', MESSAGE = format('a prune batch is 1 job or more, not %s', batch);
    END IF;
    IF older_than_seconds IS NULL OR older_than_seconds < 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN015', MESSAGE = format('a prune age is 0 seconds or more, not %s', older_than_seconds);
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(statuses) AS status WHERE NOT manana_is_terminal(status)) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN015',
            MESSAGE = format('only finished jobs are pruned (succeeded, failed, cancelled, aborted), not %s', statuses);
    END IF;
    SELECT array_agg(id ORDER BY id) INTO examined FROM (
        SELECT job.id FROM procrastinate_jobs AS job WHERE job.id > coalesce(after_id, 0) ORDER BY job.id LIMIT batch
    ) AS next;
    IF examined IS NULL THEN
        RETURN QUERY SELECT 0::bigint, NULL::bigint;
        RETURN;
    END IF;
    SELECT array_agg(job.id) INTO chosen FROM (
        SELECT job.id FROM procrastinate_jobs AS job
        WHERE job.id = ANY (examined)
          AND job.status = ANY (coalesce(statuses, '{succeeded,failed,cancelled,aborted}'))
          AND (p_queue_name IS NULL OR job.queue_name = p_queue_name)
          AND (SELECT max(event.at) FROM procrastinate_events AS event WHERE event.job_id = job.id)
              < now() - make_interval(secs => older_than_seconds)
          AND NOT manana_has_unfinished_children(job.id)
        ORDER BY job.id
        FOR UPDATE OF job SKIP LOCKED
    ) AS job;
    last_id := CASE WHEN cardinality(examined) < batch THEN NULL ELSE examined[cardinality(examined)] END;
    IF dry_run OR chosen IS NULL THEN
        RETURN QUERY SELECT coalesce(cardinality(chosen), 0)::bigint, last_id;
        RETURN;
    END IF;
    RETURN QUERY
    WITH gone AS (DELETE FROM procrastinate_jobs WHERE id = ANY (chosen) RETURNING 1)
    SELECT count(*), last_id FROM gone;
END;
$function$;
