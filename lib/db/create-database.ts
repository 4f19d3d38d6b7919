// The database a URL names, made when it does not exist yet (as Prisma's migrate does): `manana
// migrate` and `npm start` on a server where nobody ran createdb.
import type pg from 'pg'
import { createClient } from './pool.ts'

/** The URL of another database on the same server. */
export function withDatabaseName(serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

const missingDatabase = (error: unknown) => (error as { code?: string }).code === '3D000'

/** Connects to `url`'s database, creating it first (saying so) when the server has none of that name. */
export async function connectCreatingDatabase(config: pg.ClientConfig & { connectionString: string }, log: (line: string) => void): Promise<pg.Client> {
  const client = createClient(config)
  try {
    await client.connect()
    return client
  } catch (error) {
    await client.end().catch(() => {})
    if (!missingDatabase(error)) throw error
  }
  const name = decodeURIComponent(new URL(config.connectionString).pathname.slice(1))
  const admin = createClient({ connectionString: withDatabaseName(config.connectionString, 'postgres') })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`)
    log(`created database ${name} (it did not exist)`)
  } catch (error) {
    if ((error as { code?: string }).code !== '42P04') throw error // another process made it meanwhile
  } finally {
    await admin.end()
  }
  const created = createClient(config)
  await created.connect()
  return created
}

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`
