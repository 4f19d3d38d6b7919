-- Ending many attempts in one call: a busy worker sends every attempt that ended while its last
-- call was on the wire, so one transaction (and one commit, one WAL flush) carries a batch
-- instead of one job. Each attempt is ended by manana_end_attempt, the one rule for it.
-- outcomes: [{ "id", "worker_id", "outcome", "result"?, "error"?, "retry_in"? }, ...], the
-- arguments of manana_end_attempt by name.
CREATE FUNCTION manana_end_attempts(outcomes jsonb)
    RETURNS TABLE (job_id bigint, ended boolean)
    LANGUAGE plpgsql
AS $$
DECLARE
    item jsonb;
BEGIN
    IF jsonb_typeof(outcomes) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION USING ERRCODE = 'MN009', MESSAGE = 'manana_end_attempts takes a JSON array of outcomes';
    END IF;
    -- In id order, so that two callers lock the rows they share in the same order.
    FOR item IN SELECT value FROM jsonb_array_elements(outcomes) ORDER BY (value->>'id')::bigint LOOP
        job_id := (item->>'id')::bigint;
        ended := manana_end_attempt(
            job_id,
            (item->>'worker_id')::bigint,
            item->>'outcome',
            item->'result', -- absent (SQL NULL) unless the attempt succeeded
            item->'error',
            (item->>'retry_in')::double precision);
        RETURN NEXT;
    END LOOP;
END;
$$;
