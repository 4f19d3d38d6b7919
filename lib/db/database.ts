import { startEmbeddedPostgres } from './embedded.ts'
import { migrateDatabase } from './migrate.ts'

/**
 * A connection to the database itself for what needs a session (LISTEN, a worker's liveness
 * lock), when DATABASE_URL goes through a pooler in transaction mode: MANANA_DIRECT_URL.
 */
export const directUrlFromEnv = (): string | undefined => process.env.MANANA_DIRECT_URL || undefined

export interface Database {
  url: string
  /** Whether this is the embedded server (started or reused from ./.manana/). */
  embedded: boolean
  stop(): Promise<void>
}

/**
 * The database in use: DATABASE_URL when set, otherwise embedded PostgreSQL under ./.manana/.
 * With `migrate`, pending migrations are applied first.
 */
export async function openDatabase({ migrate = false, log }: { migrate?: boolean; log?: (line: string) => void } = {}): Promise<Database> {
  const fromEnv = process.env.DATABASE_URL
  const database = fromEnv
    ? { url: fromEnv, embedded: false, stop: async () => {} }
    : { ...(await startEmbeddedPostgres()), embedded: true }
  if (migrate) {
    try {
      await migrateDatabase(database.url, { log })
    } catch (error) {
      await database.stop()
      throw error
    }
  }
  return database
}
