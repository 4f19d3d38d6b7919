-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_duration_class(run_time interval)
 RETURNS smallint
 LANGUAGE sql
 IMMUTABLE
AS $function$
    SELECT CASE WHEN run_time IS NULL OR run_time < interval '1 millisecond' THEN 0
                ELSE least(48, floor(2 * ln(extract(epoch FROM run_time)::double precision * 1000) / ln(2::double precision)) + 1) END::smallint
$function$;
