// Deleting a million old jobs with `manana prune`'s batches, and what the queue feels meanwhile:
// a worker's round trip (defer a job, claim it, end it) and a console page's read (the newest 50
// jobs), each sampled before and during the prune. Runs on a fresh database of the server of
// DATABASE_URL (or embedded PostgreSQL). Usage: npm run bench:prune [-- --jobs 1000000 --batch 10000]
import { parseArgs } from 'node:util'
import type pg from 'pg'
import { createClient } from '../lib/db/pool.ts'
import { pruneJobs } from '../lib/queue/prune.ts'
import { fromPg } from '../lib/queue/queryable.ts'
import { describeMachine, withFreshDatabase } from './fresh-database.ts'

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '1000000' }, batch: { type: 'string', default: '10000' } } })
const jobs = Number(values.jobs)
const batch = Number(values.batch)

await withFreshDatabase(async (url) => {
  const setup = createClient({ connectionString: url })
  const probe = createClient({ connectionString: url })
  const pruner = createClient({ connectionString: url })
  await Promise.all([setup.connect(), probe.connect(), pruner.connect()])
  try {
    console.log(await describeMachine(url))
    let started = performance.now()
    // Finished jobs with their events (deferred, started, succeeded), ended ten days ago; every
    // tenth a child of the one before, so that edges go too.
    await setup.query(
      `INSERT INTO procrastinate_jobs (queue_name, task_name, status, attempts)
       SELECT 'default', 'done', 'succeeded', 1 FROM generate_series(1, $1)`,
      [jobs],
    )
    await setup.query(`INSERT INTO procrastinate_events (job_id, type, at)
                       SELECT id, kind::procrastinate_job_event_type, now() - interval '10 days'
                       FROM procrastinate_jobs, unnest(ARRAY['deferred', 'started', 'succeeded']) AS kind`)
    await setup.query(`UPDATE procrastinate_events SET at = now() - interval '10 days'`)
    await setup.query(`INSERT INTO procrastinate_job_dependencies (job_id, depends_on_job_id)
                       SELECT id, id - 1 FROM procrastinate_jobs WHERE id % 10 = 0`)
    await setup.query('VACUUM ANALYZE')
    const [{ events }] = (await setup.query('SELECT count(*)::int AS events FROM procrastinate_events')).rows
    console.log(`${jobs.toLocaleString('en')} finished jobs, ${events.toLocaleString('en')} events, loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`)

    const before = await sample(probe, () => new Promise((resolve) => setTimeout(resolve, 5000)))
    report('before the prune', before)

    started = performance.now()
    let batches = 0
    let deleted = 0
    const during = await sample(probe, async () => {
      deleted = await pruneJobs(fromPg(pruner), { olderThan: '7d', batch, onBatch: () => batches++ })
    })
    const seconds = (performance.now() - started) / 1000
    console.log(`prune --older-than 7d --batch ${batch}: deleted ${deleted.toLocaleString('en')} jobs in ${seconds.toFixed(1)} s (${Math.round(deleted / seconds).toLocaleString('en')} jobs/s), ${batches} transactions`)
    report('during the prune', during)
    const [left] = (await setup.query(`SELECT (SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'done')::int AS jobs,
                                              (SELECT count(*) FROM procrastinate_events WHERE job_id <= $1)::int AS events,
                                              (SELECT count(*) FROM procrastinate_job_dependencies)::int AS edges`, [jobs])).rows
    console.log(`left: ${left.jobs} old jobs, ${left.events} of their events, ${left.edges} edges`)
  } finally {
    await Promise.all([setup.end(), probe.end(), pruner.end()])
  }
})

type Samples = { roundTrip: number[]; page: number[] }

/** Samples a worker's round trip and a console page's read, back to back, until `work` is done. */
async function sample(client: pg.Client, work: () => Promise<unknown>): Promise<Samples> {
  const samples: Samples = { roundTrip: [], page: [] }
  let done = false
  const running = work().finally(() => (done = true))
  while (!done) {
    let start = performance.now()
    const { rows } = await client.query(`SELECT id FROM manana_defer_jobs('[{"task_name": "probe"}]')`)
    await client.query(`SELECT id FROM manana_fetch_jobs(NULL, NULL, 1)`)
    await client.query(`SELECT manana_finish_job($1, 'succeeded', NULL, false)`, [rows[0].id])
    samples.roundTrip.push(performance.now() - start)
    start = performance.now()
    await client.query(`SELECT id, status, task_name FROM procrastinate_jobs ORDER BY id DESC LIMIT 50`)
    samples.page.push(performance.now() - start)
  }
  await running
  return samples
}

function report(label: string, { roundTrip, page }: Samples) {
  const at = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!.toFixed(2)
  console.log(`  ${label}: defer+claim+end p50 ${at(roundTrip, 0.5)} ms, p95 ${at(roundTrip, 0.95)} ms, max ${at(roundTrip, 1)} ms; newest 50 jobs p50 ${at(page, 0.5)} ms, p95 ${at(page, 0.95)} ms (${roundTrip.length} samples)`)
}
