-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_defer_jobs(jobs jsonb)
 RETURNS TABLE(key text, id bigint)
 LANGUAGE sql
AS $function$
    SELECT * FROM manana_defer_jobs_into(jobs, NULL)
$function$;

CREATE OR REPLACE FUNCTION public.manana_defer_jobs(jobs jsonb, workflow_name text)
 RETURNS TABLE(key text, id bigint)
 LANGUAGE plpgsql
AS $function$
DECLARE
    keys text[];
    ids bigint[];
BEGIN
    IF length(workflow_name) > 200 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'a workflow name has at most 200 characters';
    END IF;
    SELECT array_agg(deferred.key ORDER BY deferred.ord), array_agg(deferred.id ORDER BY deferred.ord) INTO keys, ids
    FROM manana_defer_jobs(jobs) WITH ORDINALITY AS deferred (key, id, ord);
    IF workflow_name IS NOT NULL THEN
        -- Made by this call: created in this transaction (now() is its start).
        UPDATE manana_workflows AS workflow SET name = workflow_name
        FROM procrastinate_jobs AS job
        WHERE job.id = ids[1] AND workflow.id = job.workflow_id AND workflow.created_at = now();
    END IF;
    RETURN QUERY SELECT * FROM unnest(keys, ids);
END;
$function$;
