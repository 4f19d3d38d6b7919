-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_take_sign_in_attempt(subjects text[], limits integer[], window_minutes integer)
 RETURNS boolean
 LANGUAGE sql
AS $function$
    WITH taken AS (
        INSERT INTO manana_sign_in_attempts AS a (subject, window_start, attempts)
        SELECT subject, now(), 1 FROM unnest(subjects) AS subject
        ON CONFLICT (subject) DO UPDATE SET
            window_start = CASE WHEN a.window_start < now() - make_interval(mins => window_minutes) THEN now() ELSE a.window_start END,
            attempts = CASE WHEN a.window_start < now() - make_interval(mins => window_minutes) THEN 1 ELSE a.attempts + 1 END
        RETURNING subject, attempts
    )
    SELECT bool_and(taken.attempts <= limits[array_position(subjects, taken.subject)]) FROM taken
$function$;
