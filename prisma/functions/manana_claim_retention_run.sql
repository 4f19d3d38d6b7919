-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_claim_retention_run(every_seconds double precision)
 RETURNS boolean
 LANGUAGE sql
AS $function$
    WITH claimed AS (
        INSERT INTO manana_settings AS setting (key, value) VALUES ('retention_last_run', to_jsonb(now()))
        ON CONFLICT (key) DO UPDATE SET value = to_jsonb(now())
        WHERE (setting.value #>> '{}')::timestamptz <= now() - make_interval(secs => every_seconds)
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM claimed)
$function$;
