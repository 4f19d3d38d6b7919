-- A job's row is updated twice in its life (claimed, ended); every update writes a new version
-- of the row. On a full page the version goes to another page, and PostgreSQL logs a row lock
-- before it as well as a larger update (no prefix and suffix left out). Half of each new page is
-- kept for those versions, which page pruning frees once no transaction on the server can
-- still see them: the write-ahead log of running a no-op job falls from 1,341 to 1,189 bytes
-- (bench/RESULTS.md). Pages already written keep their fill; reads and writes do not wait
-- for this statement (SHARE UPDATE EXCLUSIVE), so a live database takes it with its workers up.
ALTER TABLE procrastinate_jobs SET (fillfactor = 50);
