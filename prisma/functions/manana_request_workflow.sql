-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_request_workflow(p_name text, p_input jsonb, p_preview boolean, p_wait_seconds double precision DEFAULT 10)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
DECLARE
    request bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM manana_workflow_definitions WHERE name = p_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN014', MESSAGE = format('no worker has announced a workflow called %s', p_name);
    END IF;
    IF jsonb_typeof(p_input) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN002', MESSAGE = 'a workflow''s input must be a JSON object';
    END IF;
    IF p_wait_seconds IS NULL OR NOT p_wait_seconds BETWEEN 0.01 AND 3600 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN001', MESSAGE = 'a request waits 0.01 to 3600 seconds for its answer';
    END IF;
    DELETE FROM manana_workflow_requests WHERE expires_at < clock_timestamp() - interval '1 minute';
    INSERT INTO manana_workflow_requests (workflow_name, input, preview, expires_at)
    VALUES (p_name, p_input, p_preview, clock_timestamp() + make_interval(secs => p_wait_seconds))
    RETURNING manana_workflow_requests.id INTO request;
    PERFORM pg_notify('manana_workflow_requests', json_build_object('type', 'workflow_requested', 'name', p_name)::text);
    RETURN request;
END;
$function$;
