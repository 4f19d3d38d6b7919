-- A queue's notification channel, procrastinate_queue_v1#<queue>, is an identifier, and
-- PostgreSQL allows 63 bytes for one: a longer queue name failed at notification time, after its
-- job had passed every check. Refused up front for every writer, Python's included (rows written
-- before are not checked).
ALTER TABLE procrastinate_jobs ADD CONSTRAINT manana_queue_name_fits_channel
    CHECK (octet_length('procrastinate_queue_v1#' || queue_name) <= 63) NOT VALID;
