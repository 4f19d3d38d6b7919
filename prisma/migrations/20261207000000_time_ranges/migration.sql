-- Time ranges in the console (the jobs deferred in the last hour, say), fast at a million jobs.
--
-- Jobs keep no time of their own: a job's deferral is its 'deferred' event. But a job's id and
-- its deferral grow together (the id sequence and the clock), so the jobs deferred from a time on
-- are the jobs from some id on, which the primary key reads in order. This finds that id by
-- halving the ids, one look in the events' job index each time (about 20 at a million jobs).
-- Jobs deferred in the same instant by two transactions may fall either side of an edge.
CREATE FUNCTION manana_first_job_deferred_since(p_at timestamptz) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  lo bigint;
  hi bigint;
  mid bigint;
  probe_id bigint;
  probe_at timestamptz;
BEGIN
  -- Every job below lo was deferred before p_at; every job from hi on, at or after it.
  SELECT min(id), max(id) + 1 INTO lo, hi FROM procrastinate_jobs;
  IF lo IS NULL THEN
    RETURN 0;
  END IF;
  WHILE lo < hi LOOP
    mid := lo + (hi - lo) / 2;
    probe_id := NULL;
    SELECT event.job_id, event.at INTO probe_id, probe_at
    FROM procrastinate_events AS event
    WHERE event.job_id >= mid AND event.job_id < hi AND event.type = 'deferred'
    ORDER BY event.job_id LIMIT 1;
    IF probe_id IS NULL OR probe_at >= p_at THEN
      hi := mid;
    ELSE
      lo := probe_id + 1;
    END IF;
  END LOOP;
  RETURN lo;
END
$$;

-- The Audit page's ranges read the log by time.
CREATE INDEX manana_audit_at_idx ON manana_audit (at);
-- The Workflows page's ranges read workflows by when they began.
CREATE INDEX manana_workflows_created_at_idx ON manana_workflows (created_at);
