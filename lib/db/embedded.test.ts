import fs from 'node:fs'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { embeddedDataDir, startEmbeddedPostgres } from './embedded.ts'
import { migrateDatabase } from './migrate.ts'

const dataDir = embeddedDataDir(`test-embedded-${process.pid}`)
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }))

async function tables(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query(`SELECT to_regclass('procrastinate_jobs') AS jobs, version() AS version`)
    return rows[0]
  } finally {
    await client.end()
  }
}

describe('embedded PostgreSQL', () => {
  it('starts in .manana/, migrates, is shared by a second process, and keeps its data across restarts', async () => {
    const first = await startEmbeddedPostgres(dataDir)
    try {
      await migrateDatabase(first.url)
      expect(await tables(first.url)).toMatchObject({ jobs: 'procrastinate_jobs', version: expect.stringMatching(/^PostgreSQL 18/) })
      // Another process (the console next to a worker) finds the running server and reuses it.
      const second = await startEmbeddedPostgres(dataDir)
      expect(second.url).toBe(first.url)
      await second.stop() // a no-op: it did not start the server
      expect(await tables(first.url)).toMatchObject({ jobs: 'procrastinate_jobs' })
    } finally {
      await first.stop()
    }
    const again = await startEmbeddedPostgres(dataDir)
    try {
      expect(await tables(again.url)).toMatchObject({ jobs: 'procrastinate_jobs' })
    } finally {
      await again.stop()
    }
  })
})
