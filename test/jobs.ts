// Small SQL helpers the engine tests share: they call the SQL functions as a worker would.
import type { TestDatabase } from './database.ts'

export async function fetchIds(t: TestDatabase, max = 1, queues: string[] | null = null, workerId: number | null = null) {
  const rows = await t.sql<{ id: string }>('SELECT id FROM manana_fetch_jobs($1, $2, $3)', [queues, workerId, max])
  return rows.map((row) => Number(row.id))
}

export async function finish(t: TestDatabase, id: number, status: 'succeeded' | 'failed' | 'aborted', result: unknown = null) {
  await t.sql('SELECT manana_finish_job($1, $2, $3, false)', [id, status, JSON.stringify(result)])
}

/** Fetches the one job expected to be ready and finishes it. */
export async function runNext(t: TestDatabase, status: 'succeeded' | 'failed' | 'aborted' = 'succeeded', result: unknown = null) {
  const [id] = await fetchIds(t)
  if (id === undefined) throw new Error('no job was ready')
  await finish(t, id, status, result)
  return id
}

export async function statusOf(t: TestDatabase, id: number) {
  const [row] = await t.sql<{ status: string }>('SELECT status FROM procrastinate_jobs WHERE id = $1', [id])
  return row?.status
}

export async function eventsOf(t: TestDatabase, id: number) {
  const rows = await t.sql<{ type: string }>('SELECT type FROM procrastinate_events WHERE job_id = $1 ORDER BY id', [id])
  return rows.map((row) => row.type)
}

/** Listens on channels and collects what arrives. */
export async function listen(t: TestDatabase, channels: string[]) {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: t.url })
  await client.connect()
  const received: Array<{ channel: string; payload: unknown }> = []
  client.on('notification', (message) => {
    received.push({ channel: message.channel, payload: JSON.parse(message.payload ?? 'null') })
  })
  for (const channel of channels) await client.query(`LISTEN "${channel}"`)
  return {
    received,
    /** Waits until `count` notifications arrived (or a second passed), then returns them all. */
    async next(count: number) {
      for (let waited = 0; received.length < count && waited < 1000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return received.splice(0)
    },
    close: () => client.end(),
  }
}

/** Jobs whose unfinished_parents disagrees with their edges (should be none). */
export async function miscountedJobs(t: TestDatabase) {
  return t.sql(`
    SELECT job.id, job.unfinished_parents,
           (SELECT count(*) FROM procrastinate_job_dependencies AS edge
            JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
            WHERE edge.job_id = job.id AND NOT manana_is_terminal(parent.status))::int AS actual
    FROM procrastinate_jobs AS job
    WHERE job.unfinished_parents <> (SELECT count(*) FROM procrastinate_job_dependencies AS edge
            JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
            WHERE edge.job_id = job.id AND NOT manana_is_terminal(parent.status))`)
}
