-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_give_back_sign_in_attempt(subjects text[])
 RETURNS void
 LANGUAGE sql
AS $function$
    UPDATE manana_sign_in_attempts SET attempts = greatest(attempts - 1, 0) WHERE subject = ANY (subjects)
$function$;
