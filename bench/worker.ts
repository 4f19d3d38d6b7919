// The worker end to end, one process: DAG hop latency over a chain of 200 jobs (a parent's
// 'succeeded' event to its child's 'started' event), and throughput of no-op jobs at
// concurrency 10. Usage: npm run bench:worker
import pg from 'pg'
import { createApp } from '../lib/queue/app.ts'
import { Worker } from '../worker/worker.ts'
import { describeMachine, percentile, withFreshDatabase } from './fresh-database.ts'

const chainLength = 200
const noOpJobs = 20_000
const warmUp = 2_000

await withFreshDatabase(async (url) => {
  console.log(await describeMachine(url))
  const app = createApp({ databaseUrl: url })
  app.task('noop', {}, () => null)
  const pool = await app.pool()

  // Hop latency: a chain, run by one worker at concurrency 10.
  const chain = Object.fromEntries(
    Array.from({ length: chainLength }, (_, i) => [`n${i}`, { task: 'noop', dependsOn: i ? [`n${i - 1}`] : [] }]),
  )
  await app.deferWorkflow(chain)
  await runUntilDone(app, pool)
  const { rows } = await pool.query<{ ms: number }>(`
    SELECT extract(epoch FROM child_start.at - parent_done.at) * 1000 AS ms
    FROM procrastinate_job_dependencies AS edge
    JOIN procrastinate_events AS parent_done ON parent_done.job_id = edge.depends_on_job_id AND parent_done.type = 'succeeded'
    JOIN procrastinate_events AS child_start ON child_start.job_id = edge.job_id AND child_start.type = 'started'`)
  const hops = rows.map((row) => Number(row.ms)).sort((a, b) => a - b)
  console.log(
    `DAG hop latency, chain of ${chainLength}: p50 ${percentile(hops, 0.5).toFixed(2)} ms, p95 ${percentile(hops, 0.95).toFixed(2)} ms, max ${hops.at(-1)!.toFixed(2)} ms`,
  )

  // Throughput: independent no-op jobs, one worker at concurrency 10; the first jobs warm up.
  await app.defer(Array.from({ length: noOpJobs }, () => ({ task: 'noop' })))
  await pool.query('ANALYZE procrastinate_jobs')
  const measured = await runUntilDone(app, pool, warmUp)
  console.log(`throughput, no-op jobs, 1 worker at concurrency 10: ${Math.round((noOpJobs - warmUp) / measured)} jobs/s (${noOpJobs - warmUp} jobs after ${warmUp} of warm-up)`)
  await app.close()
})

/** Runs a worker until no job is left; returns the seconds it took, from the events, after `skip` jobs. */
async function runUntilDone(app: ReturnType<typeof createApp>, pool: pg.Pool, skip = 0): Promise<number> {
  const started = new Date()
  await new Worker(app, { concurrency: 10, once: true, log: () => {} }).run()
  const { rows } = await pool.query(
    `SELECT extract(epoch FROM max(at) - min(at)) AS seconds FROM (
       SELECT at FROM procrastinate_events WHERE type = 'succeeded' AND at >= $1 ORDER BY at OFFSET $2) AS measured`,
    [started, skip],
  )
  return Number(rows[0].seconds)
}
