import os from 'node:os'
import { createClient } from '../lib/db/pool.ts'
import { createScratchDatabase } from '../lib/db/scratch.ts'

/** Runs a benchmark on a fresh, migrated database, dropped afterwards. */
export async function withFreshDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const database = await createScratchDatabase('manana_bench')
  try {
    return await run(database.url)
  } finally {
    await database.drop()
  }
}

export async function describeMachine(url: string): Promise<string> {
  const client = createClient({ connectionString: url })
  await client.connect()
  const { rows } = await client.query('SHOW server_version')
  await client.end()
  return `PostgreSQL ${rows[0].server_version}, Node ${process.version}, ${os.cpus().length} cores`
}
