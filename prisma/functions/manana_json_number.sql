-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_json_number(value jsonb)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE
AS $function$ SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN (value #>> '{}')::numeric END $function$;
