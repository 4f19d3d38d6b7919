import fs from 'node:fs'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { embeddedDataDir, startEmbeddedPostgres } from './embedded.ts'
import { migrateDatabase } from './migrate.ts'

const dataDir = embeddedDataDir(`test-embedded-${process.pid}`)
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true })
  fs.rmSync(`${dataDir}.password`, { force: true })
})

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

const canConnect = async (url: string) => {
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}
const withPassword = (url: string, password: string) => Object.assign(new URL(url), { password }).toString()

describe('embedded PostgreSQL', () => {
  it("has a random superuser password of its own, in a file only its owner reads; a former fixed one is replaced", async () => {
    const server = await startEmbeddedPostgres(dataDir)
    try {
      const file = `${dataDir}.password`
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      const password = fs.readFileSync(file, 'utf8').trim()
      expect(password).toMatch(/^[\w-]{32}$/)
      expect(decodeURIComponent(new URL(server.url).password)).toBe(password)
      expect(await canConnect(withPassword(server.url, 'manana'))).toBe(false)
      // A data directory from before: the fixed password, and no file.
      const client = new pg.Client({ connectionString: server.url })
      await client.connect()
      await client.query(`ALTER USER postgres PASSWORD 'manana'`)
      await client.end()
      fs.rmSync(file)
    } finally {
      await server.stop()
    }
    const again = await startEmbeddedPostgres(dataDir)
    try {
      expect(await canConnect(withPassword(again.url, 'manana'))).toBe(false)
      expect(fs.readFileSync(`${dataDir}.password`, 'utf8').trim()).not.toBe('manana')
      expect(await canConnect(again.url)).toBe(true)
    } finally {
      await again.stop()
    }
  })

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
