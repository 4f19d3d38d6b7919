// Fetch latency of a ready job as the table fills: empty, with 100,000 children waiting on an
// unfinished parent, and with 1,000,000 finished jobs. Runs on a fresh database of the server
// of DATABASE_URL (or embedded PostgreSQL). Usage: npm run bench:fetch
import type pg from 'pg'
import { createClient } from '../lib/db/pool.ts'
import { describeMachine, withFreshDatabase } from './fresh-database.ts'

const samples = 2000

await withFreshDatabase(async (url) => {
  const client = createClient({ connectionString: url })
  await client.connect()
  try {
    console.log(await describeMachine(url))
    console.log(`fetch of one ready job (manana_fetch_jobs, limit 1), ${samples} samples each:`)
    await measure(client, 'empty table')

    await client.query(`INSERT INTO procrastinate_jobs (queue_name, task_name) VALUES ('elsewhere', 'parent')`)
    const parent = (await client.query(`SELECT max(id) AS id FROM procrastinate_jobs`)).rows[0].id
    await client.query(`UPDATE procrastinate_jobs SET status = 'doing' WHERE id = $1`, [parent])
    await client.query(
      `SELECT count(*) FROM manana_defer_jobs((SELECT jsonb_agg(jsonb_build_object('task_name', 'child', 'priority', 10, 'depends_on', jsonb_build_array($1::bigint)))
                                              FROM generate_series(1, 100000)))`,
      [parent],
    )
    await client.query('VACUUM ANALYZE procrastinate_jobs')
    await measure(client, 'with 100,000 waiting children')

    await client.query(
      `INSERT INTO procrastinate_jobs (queue_name, task_name, status, attempts)
       SELECT 'default', 'done', 'succeeded', 1 FROM generate_series(1, 1000000)`,
    )
    await client.query('VACUUM ANALYZE procrastinate_jobs') // as autovacuum would after a bulk load
    await measure(client, 'and 1,000,000 finished jobs')
  } finally {
    await client.end()
  }
})

async function measure(client: pg.Client, label: string) {
  await client.query(
    `INSERT INTO procrastinate_jobs (queue_name, task_name) SELECT 'default', 'ready' FROM generate_series(1, $1)`,
    [samples],
  )
  await client.query('ANALYZE procrastinate_jobs')
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint()
    const { rows } = await client.query(`SELECT id FROM manana_fetch_jobs(NULL, NULL, 1)`)
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    if (rows.length !== 1) throw new Error(`fetch ${i} found no job`)
    await client.query(`SELECT manana_finish_job($1, 'succeeded', NULL, false)`, [rows[0].id])
  }
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.floor(q * (times.length - 1))]!.toFixed(2)
  console.log(`  ${label.padEnd(32)} p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  max ${at(1)} ms`)
}
