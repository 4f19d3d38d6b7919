// The write-ahead log a benchmark writes: the server's position (pg_current_wal_lsn) before and
// after each step. It is the whole server's log, so a benchmark run alone measures itself.
// Plain erasable TypeScript: the peers' processes run it on Node 22 without a compiler.
import fs from 'node:fs'
import { createClient } from '../lib/db/pool.ts'
import { now } from './meter.ts'

/** Runs the steps one after another: the log's bytes each of them wrote, per job of `jobs`. */
export async function walPerJob(connectionString: string, jobs: number, steps: Array<() => Promise<unknown>>): Promise<number[]> {
  const client = createClient({ connectionString }, (error) => console.error(`wal: the connection counting the log was lost: ${error.message}`)) // its next query fails too
  await client.connect()
  try {
    const position = async () => (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn
    const marks = [await position()]
    for (const step of steps) {
      await step()
      marks.push(await position())
    }
    // For bench/wal-by-relation.ts: where each step's log begins and ends.
    if (process.env.BENCH_WAL_MARKS_FILE) fs.appendFileSync(process.env.BENCH_WAL_MARKS_FILE, `${JSON.stringify(marks)}\n`)
    const { rows } = await client.query<{ bytes: string }>(
      'SELECT pg_wal_lsn_diff(later, earlier)::bigint::text AS bytes FROM unnest($1::pg_lsn[], $2::pg_lsn[]) AS mark (earlier, later)',
      [marks.slice(0, -1), marks.slice(1)],
    )
    return rows.map((row) => Number(row.bytes) / jobs)
  } finally {
    await client.end()
  }
}

/** `enqueue(jobs)` timed, and its log measured: the enqueue scenario, the same for every system. */
export async function enqueueFigures(connectionString: string, jobs: number, enqueue: (count: number) => Promise<unknown>): Promise<{ jobsPerSecond: number; walPerJob: number }> {
  let ms = 0
  const [wal] = await walPerJob(connectionString, jobs, [
    async () => {
      const started = now()
      await enqueue(jobs)
      ms = now() - started
    },
  ])
  return { jobsPerSecond: (jobs / ms) * 1000, walPerJob: wal! }
}
