// The app `npm run chaos` runs in its worker processes. Each run of a job is written down in
// chaos_runs as it starts and as it ends (on a pool of its own, outside the worker's
// transactions), so that the harness can check, from outside the queue, that no job ran twice
// at once and no lock group had two runs at once, and can measure claim → start.
import type pg from 'pg'
import { createPool } from '../../lib/db/pool.ts'
import { createApp } from '../../lib/queue/index.ts'

export const app = createApp()
// One connection per slot: no run waits for one. A restart of the server drops them: the next query reconnects.
const runs = createPool(process.env.DATABASE_URL!, { max: Number(process.env.CHAOS_CONCURRENCY), applicationName: 'chaos-runs' })

/** Writes a run's record, through a restart of the server (a record lost would be a false alarm). */
async function record(sql: string, values: unknown[]): Promise<pg.QueryResult> {
  for (let tries = 1; ; tries++) {
    try {
      return await runs.query(sql, values)
    } catch (error) {
      if (tries >= 300) throw error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

type ChaosArgs = {
  ms: number
  /** Fails its first attempt, so that batches mix successes and failures. */
  failFirst?: boolean
}

app.task<ChaosArgs>('chaos', { retry: { maxAttempts: 8, wait: 0 } }, async ({ ms, failFirst }, { job, attempt, signal }) => {
  const [run] = (
    await record('INSERT INTO chaos_runs (job_id, attempt, pid, started_at) VALUES ($1, $2, $3, clock_timestamp()) RETURNING id', [
      job.id,
      attempt,
      process.pid,
    ])
  ).rows
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(signal.reason)
      })
    })
    if (failFirst && attempt === 1) throw new Error('planned failure of a first attempt')
  } finally {
    await record('UPDATE chaos_runs SET ended_at = clock_timestamp() WHERE id = $1', [run!.id])
  }
})
