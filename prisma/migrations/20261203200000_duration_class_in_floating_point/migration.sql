-- The run-time class of each ended attempt (the Tasks page's percentiles) in floating point: the
-- logarithm of a numeric (extract() returns one) cost several µs per finished job, on the path
-- every finish takes (measured: about 6 µs of the 88 µs of server CPU per no-op job claimed and
-- finished in batches of 100). The classes are the same (half powers of two of milliseconds).
--
-- Error codes added here: none.

CREATE OR REPLACE FUNCTION manana_duration_class(run_time interval) RETURNS smallint
    LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN run_time IS NULL OR run_time < interval '1 millisecond' THEN 0
                ELSE least(48, floor(2 * ln(extract(epoch FROM run_time)::double precision * 1000) / ln(2::double precision)) + 1) END::smallint
$$;
