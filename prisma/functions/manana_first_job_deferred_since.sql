-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_first_job_deferred_since(p_at timestamp with time zone)
 RETURNS bigint
 LANGUAGE plpgsql
 STABLE
AS $function$
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
$function$;
