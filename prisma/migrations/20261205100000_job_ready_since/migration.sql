-- When a waiting job became ready to start: the latest of its deferral (or retry), its schedule
-- and its parents' ends. The console's oldest-ready age per queue and the workers' queue-wait
-- histogram (claim time less this) both read it here. A job released unstarted (a worker's
-- shutdown) counts from before its release, and one whose parents were deleted from before
-- their deletion: what the events record.
--
-- Error codes added here: none.

CREATE FUNCTION manana_job_ready_since(p_job_id bigint, p_scheduled_at timestamp with time zone) RETURNS timestamp with time zone
    LANGUAGE sql STABLE
AS $$
    SELECT greatest(
        p_scheduled_at,
        (SELECT max(event.at) FROM procrastinate_events AS event
         WHERE event.job_id = p_job_id AND event.type IN ('deferred', 'deferred_for_retry', 'retried')),
        (SELECT max(event.at) FROM procrastinate_job_dependencies AS edge
         JOIN procrastinate_events AS event ON event.job_id = edge.depends_on_job_id
         WHERE edge.job_id = p_job_id AND event.type IN ('succeeded', 'failed', 'cancelled', 'aborted')))
$$;
