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

-- The console's live updates: one notification per statement, as for events (its pages read again).
CREATE TRIGGER manana_notify_console_of_logs
    AFTER INSERT ON manana_job_logs
    FOR EACH STATEMENT EXECUTE FUNCTION manana_notify_console();
