-- Pausing takes only a queue name that fits the queue-name rule (40 bytes: its notification
-- channel, procrastinate_queue_v1#<queue>, must fit PostgreSQL's 63-byte names) and, unless
-- forced, a queue something knows: a job (of any status), a task announced into it, a worker
-- listing it, or a pause already. Made-up pauses grew the Queues page and the metrics without
-- limit; a typo paused nothing real, silently.
--
-- Error codes added here: MN016 invalid_queue (a name that breaks the rule),
-- MN017 unknown_queue (nothing knows it, and the pause was not forced).

-- Whether a queue is known: it has a job, an announced task, a worker that lists it, or a pause.
CREATE FUNCTION manana_queue_is_known(p_queue_name character varying) RETURNS boolean
    LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE queue_name = p_queue_name)
        OR EXISTS (SELECT 1 FROM manana_tasks WHERE queue_name = p_queue_name)
        OR EXISTS (SELECT 1 FROM procrastinate_workers WHERE p_queue_name = ANY (queues))
        OR EXISTS (SELECT 1 FROM manana_paused_queues WHERE queue_name = p_queue_name)
$$;

DROP FUNCTION manana_pause_queue(character varying, text);

-- True when it pauses the queue, false when it was paused already. p_force: pause a queue that
-- nothing knows yet (before its first job).
CREATE FUNCTION manana_pause_queue(p_queue_name character varying, p_by text, p_force boolean DEFAULT false) RETURNS boolean
    LANGUAGE plpgsql
AS $$
BEGIN
    IF p_queue_name IS NULL OR p_queue_name = '' OR octet_length('procrastinate_queue_v1#' || p_queue_name) > 63 THEN
        RAISE EXCEPTION USING ERRCODE = 'MN016', MESSAGE =
            'a queue name has 1 to 40 bytes: its notification channel, procrastinate_queue_v1#<queue>, must fit PostgreSQL''s 63-byte identifiers';
    END IF;
    IF NOT p_force AND NOT manana_queue_is_known(p_queue_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'MN017', MESSAGE = format(
            'no job, task or worker knows queue %s: is it mistyped? Pause it anyway with force (manana pause --force, "force": true)', p_queue_name);
    END IF;
    INSERT INTO manana_paused_queues (queue_name, paused_by) VALUES (p_queue_name, p_by) ON CONFLICT (queue_name) DO NOTHING;
    RETURN FOUND;
END;
$$;
