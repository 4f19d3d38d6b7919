-- Requests to run a workflow definition expire. A requester that died or was interrupted before
-- taking its answer (and so before deleting its request) left the row behind: a worker started
-- later deferred a run nobody waited for, and answered rows stayed for good. Each request now
-- carries the moment its requester stops waiting; workers answer only requests before it, and
-- every new request sweeps those whose requester stopped waiting more than a minute ago (a
-- minute: a requester takes its answer as its wait ends, and must still find it).
--
-- Error codes added here: none (a wait out of range is MN001 invalid_job).

ALTER TABLE manana_workflow_requests ADD COLUMN expires_at timestamp with time zone;
UPDATE manana_workflow_requests SET expires_at = requested_at + interval '10 seconds';
ALTER TABLE manana_workflow_requests ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX manana_workflow_requests_expires_at ON manana_workflow_requests (expires_at);

DROP FUNCTION manana_request_workflow(text, jsonb, boolean);

-- Asks for a run (or a preview) of workflow p_name with p_input, waited for p_wait_seconds
-- (default 10, the console's wait; at most an hour).
CREATE FUNCTION manana_request_workflow(p_name text, p_input jsonb, p_preview boolean, p_wait_seconds double precision DEFAULT 10)
    RETURNS bigint
    LANGUAGE plpgsql
AS $$
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
$$;
