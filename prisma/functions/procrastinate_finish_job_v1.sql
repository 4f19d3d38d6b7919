-- Generated from the migrated database by npm run functions:generate: what runs now. Change it with a migration.

CREATE OR REPLACE FUNCTION public.procrastinate_finish_job_v1(job_id bigint, end_status procrastinate_job_status, delete_job boolean)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
#variable_conflict use_column
DECLARE
    pending manana_pending_spawns;
    job procrastinate_jobs;
BEGIN
    DELETE FROM manana_pending_spawns WHERE manana_pending_spawns.job_id = $1 RETURNING * INTO pending;
    IF pending.job_id IS NOT NULL AND end_status = 'succeeded' THEN
        SELECT * INTO job FROM procrastinate_jobs WHERE id = $1;
        IF pending.attempt = job.attempts THEN
            BEGIN
                PERFORM manana_spawn_jobs($1, pending.jobs);
            EXCEPTION WHEN OTHERS THEN
                IF left(SQLSTATE, 2) <> 'MN' THEN
                    RAISE;
                END IF;
                -- Refused: the attempt fails, saying why, and spawns nothing.
                INSERT INTO manana_job_errors (job_id, attempt, worker_id, message, stack)
                VALUES ($1, job.attempts + 1, job.worker_id, format('its task succeeded, but the jobs it spawned were refused: %s', SQLERRM), NULL)
                ON CONFLICT (job_id, attempt) DO UPDATE SET message = EXCLUDED.message, stack = NULL, at = now();
                PERFORM manana_finish_job($1, 'failed', NULL, $3);
                RETURN;
            END;
        END IF;
    END IF;
    PERFORM manana_finish_job($1, $2, NULL, $3);
END;
$function$;
