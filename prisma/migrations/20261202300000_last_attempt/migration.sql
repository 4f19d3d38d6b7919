-- A job's latest attempt, from its events, in one place: the graph's node labels and the jobs
-- list's "slowest first" read it.
--
-- Error codes added here: none.

-- When the latest attempt started (null before the first), and how long it ran once it ended
-- (null while it runs). An attempt ends succeeded, failed, aborted or sent back to todo.
CREATE FUNCTION manana_last_attempt(p_job_id bigint)
    RETURNS TABLE (started_at timestamp with time zone, ran_ms double precision)
    LANGUAGE sql STABLE
AS $$
    SELECT times.started_at,
           CASE WHEN times.ended_at >= times.started_at THEN extract(epoch FROM times.ended_at - times.started_at) * 1000 END
    FROM (
        SELECT max(event.at) FILTER (WHERE event.type = 'started') AS started_at,
               max(event.at) FILTER (WHERE event.type IN ('succeeded', 'failed', 'aborted', 'deferred_for_retry')) AS ended_at
        FROM procrastinate_events AS event WHERE event.job_id = p_job_id
    ) AS times
$$;
