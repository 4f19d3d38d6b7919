-- Log lines a task writes (ctx.log, ctx.logger), kept per attempt with the job (deleted with
-- it) and shown on its page while it runs. The worker bounds them (lines per attempt, characters
-- per line); the table only holds what it was given.
--
-- Error codes added here: none.

CREATE TYPE manana_log_level AS ENUM ('debug', 'info', 'warn', 'error');

CREATE TABLE manana_job_logs (
    id bigserial PRIMARY KEY,
    job_id bigint NOT NULL REFERENCES procrastinate_jobs (id) ON DELETE CASCADE,
    attempt integer NOT NULL,   -- 1 for the first run
    at timestamp with time zone NOT NULL,
    level manana_log_level NOT NULL,
    message text NOT NULL
);

CREATE INDEX manana_job_logs_job_idx ON manana_job_logs (job_id, attempt, id);

-- The console's live updates: one notification per statement, naming its jobs ({"logs": [ids]}),
-- or {"logs": null} when they are too many to name in a notification.
CREATE FUNCTION manana_notify_console_of_logs() RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    job_ids bigint[];
BEGIN
    SELECT array_agg(DISTINCT job_id) INTO job_ids FROM new_lines;
    IF job_ids IS NOT NULL THEN
        PERFORM pg_notify('manana_console', jsonb_build_object('logs', CASE WHEN cardinality(job_ids) <= 200 THEN to_jsonb(job_ids) END)::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER manana_notify_console_of_logs
    AFTER INSERT ON manana_job_logs
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION manana_notify_console_of_logs();
