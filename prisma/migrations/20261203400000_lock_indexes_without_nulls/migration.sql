-- Procrastinate's two unique lock indexes, on the jobs that have a lock only. As upstream wrote
-- them they held an entry for every waiting (queueing lock) or running (lock) job, NULL or not:
-- a running job without a lock, the common case, was written into one more index when claimed,
-- and under plpgsql's generic plans the planner read the batch's jobs through the index of all
-- running jobs instead of their primary key (a worker with 1,000 jobs claimed ahead scanned them
-- all for each batch it ended). NULLs never clash in a unique index, so the rule is the same: at
-- most one waiting job per queueing lock, one running job per lock; the names are upstream's,
-- which Python matches in its unique-violation errors. Measured here with 1,000 jobs claimed
-- ahead, claiming and finishing in batches of 100: 84 → 74 µs of server CPU per job.
--
-- Error codes added here: none.

DROP INDEX procrastinate_jobs_lock_idx_v1;
CREATE UNIQUE INDEX procrastinate_jobs_lock_idx_v1 ON procrastinate_jobs (lock)
    WHERE status = 'doing' AND lock IS NOT NULL;

DROP INDEX procrastinate_jobs_queueing_lock_idx_v1;
CREATE UNIQUE INDEX procrastinate_jobs_queueing_lock_idx_v1 ON procrastinate_jobs (queueing_lock)
    WHERE status = 'todo' AND queueing_lock IS NOT NULL;
