// Throwaway databases on the server in use, for benchmarks and browser tests.
import { openDatabase } from './database.ts'
import { migrateDatabase } from './migrate.ts'
import { createClient } from './pool.ts'
import { withDatabaseName } from './create-database.ts'

export interface ScratchDatabase {
  url: string
  /** Drops the database (and stops an embedded server this process started). */
  drop(): Promise<void>
}

/** A new, migrated database named `prefix_pid_time` on DATABASE_URL's server, or embedded PostgreSQL. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const server = await openDatabase()
  const name = `${prefix}_${process.pid}_${Date.now()}`
  const admin = createClient({ connectionString: server.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  const url = withDatabaseName(server.url, name)
  const drop = async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {})
    await admin.end()
    await server.stop()
  }
  try {
    await migrateDatabase(url)
  } catch (error) {
    await drop()
    throw error
  }
  return { url, drop }
}
