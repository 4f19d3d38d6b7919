// A fresh, migrated database for one benchmark run, on the server of DATABASE_URL (or
// embedded PostgreSQL); dropped afterwards.
import os from 'node:os'
import pg from 'pg'
import { openDatabase } from '../lib/db/database.ts'
import { migrateDatabase } from '../lib/db/migrate.ts'

export async function withFreshDatabase<T>(run: (url: string) => Promise<T>): Promise<T> {
  const server = await openDatabase()
  const name = `manana_bench_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(server.url)
  url.pathname = `/${name}`
  try {
    await migrateDatabase(url.toString())
    return await run(url.toString())
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
    await server.stop()
  }
}

export async function describeMachine(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query('SHOW server_version')
  await client.end()
  return `PostgreSQL ${rows[0].server_version}, Node ${process.version}, ${os.cpus().length} cores`
}

export function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
