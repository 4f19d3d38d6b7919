-- Sign-in attempts per username and per client address, counted atomically: an attempt takes a
-- place before its password is checked (so attempts in flight count too) and gives it back when
-- it succeeds. A window starts with its first attempt and lasts the caller's number of minutes.
CREATE TABLE manana_sign_in_attempts (
    subject text PRIMARY KEY,          -- 'user:<name>' or 'source:<address>'
    window_start timestamptz NOT NULL,
    attempts integer NOT NULL
);

-- Takes a place for each subject; returns whether every one was within its limit.
CREATE FUNCTION manana_take_sign_in_attempt(subjects text[], limits integer[], window_minutes integer)
RETURNS boolean LANGUAGE sql AS $$
    WITH taken AS (
        INSERT INTO manana_sign_in_attempts AS a (subject, window_start, attempts)
        SELECT subject, now(), 1 FROM unnest(subjects) AS subject
        ON CONFLICT (subject) DO UPDATE SET
            window_start = CASE WHEN a.window_start < now() - make_interval(mins => window_minutes) THEN now() ELSE a.window_start END,
            attempts = CASE WHEN a.window_start < now() - make_interval(mins => window_minutes) THEN 1 ELSE a.attempts + 1 END
        RETURNING subject, attempts
    )
    SELECT bool_and(taken.attempts <= limits[array_position(subjects, taken.subject)]) FROM taken
$$;

-- Gives back the places a successful sign-in took.
CREATE FUNCTION manana_give_back_sign_in_attempt(subjects text[]) RETURNS void LANGUAGE sql AS $$
    UPDATE manana_sign_in_attempts SET attempts = greatest(attempts - 1, 0) WHERE subject = ANY (subjects)
$$;
