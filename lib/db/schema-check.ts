// Whether a database has the schema this code needs, without reading prisma/migrations (the
// console's server bundle has no such folder). A test keeps schemaVersion equal to the newest
// migration there.
import { ManaError } from '../queue/errors.ts'
import type { Queryable } from '../queue/queryable.ts'

/** The newest migration this code needs. */
export const schemaVersion = '20261213000000_ends_name_their_attempt'

/** Throws schema_missing or schema_behind unless the database has every migration this code needs. */
export async function checkSchema(db: Queryable): Promise<void> {
  const [found] = await db.query<{ jobs: boolean; ledger: boolean }>(
    `SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS jobs, to_regclass('_prisma_migrations') IS NOT NULL AS ledger`,
  )
  if (!found!.jobs) throw new ManaError('schema_missing', 'the database has no Mañana schema yet: run `npx manana migrate`')
  const current = found!.ledger
    ? await db.query(`SELECT 1 FROM _prisma_migrations WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`, [schemaVersion])
    : []
  if (current.length) return
  throw new ManaError(
    'schema_behind',
    found!.ledger
      ? `the database's schema is older than this Mañana's (it lacks migration ${schemaVersion}): run \`npx manana migrate\``
      : "the database holds Procrastinate's schema without Mañana's: run `npx manana migrate` to adopt it in place",
  )
}
