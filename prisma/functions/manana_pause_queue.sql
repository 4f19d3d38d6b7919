-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.manana_pause_queue(p_queue_name character varying, p_by text, p_force boolean DEFAULT false, p_reason text DEFAULT NULL::text)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF p_queue_name IS NULL OR p_queue_name = '' OR octet_length('procrastinate_queue_v1#' || p_queue_name) > 63 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN016', MESSAGE =
            'a queue name has 1 to 40 bytes: its notification channel, procrastinate_queue_v1#<queue>, must fit PostgreSQL''s 63-byte identifiers';
    END IF;
    IF NOT p_force AND NOT manana_queue_is_known(p_queue_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN017', MESSAGE = format(
            'no job, task or worker knows queue %s: is it mistyped? Pause it anyway with force (manana pause --force, "force": true)', p_queue_name);
    END IF;
    IF length(p_reason) > 500 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN016', MESSAGE = 'a pause''s reason has at most 500 characters';
    END IF;
    INSERT INTO manana_paused_queues (queue_name, paused_by, reason) VALUES (p_queue_name, p_by, nullif(p_reason, ''))
    ON CONFLICT (queue_name) DO NOTHING;
    RETURN FOUND;
END;
$function$;
