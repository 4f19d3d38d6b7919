// Applies prisma/migrations to a database, each migration in one transaction with its record.
// The records are Prisma's own (_prisma_migrations, same checksums), so `prisma migrate status`
// agrees, but no Prisma CLI is needed at run time. A database that holds Python Procrastinate's
// schema and no such records is adopted in place (adopt-procrastinate.ts).
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { ManaError } from '../queue/errors.ts'
import { adoptProcrastinate, procrastinateDifferences } from './adopt-procrastinate.ts'
import { projectRoot } from './project-root.ts'
import { connectCreatingDatabase } from './create-database.ts'
import { withTransaction } from './transaction.ts'

export interface Migration {
  name: string
  sql: string
  /** SHA-256 of the file, hex: what Prisma records. */
  checksum: string
}

export interface MigrationReport {
  /** Names of the migrations applied now, oldest first. */
  applied: string[]
  /** Rows copied per table when a Procrastinate database was adopted. */
  adopted?: Record<string, number>
}

/** Every migration this code has, oldest first. */
export function migrations(): Migration[] {
  const dir = path.join(projectRoot, 'prisma', 'migrations')
  return fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'migration.sql')))
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(path.join(dir, name, 'migration.sql'))
      return { name, sql: bytes.toString('utf8'), checksum: crypto.createHash('sha256').update(bytes).digest('hex') }
    })
}

// Prisma's table, as Prisma creates it.
const createLedger = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
  id varchar(36) PRIMARY KEY NOT NULL,
  checksum varchar(64) NOT NULL,
  finished_at timestamptz,
  migration_name varchar(255) NOT NULL,
  logs text,
  rolled_back_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(),
  applied_steps_count integer NOT NULL DEFAULT 0
)`

/** Held for the whole run, so that two deploys migrating at once take turns. */
const migrationLock = 7_361_524_462

interface Recorded {
  migration_name: string
  checksum: string
  finished: boolean
  rolled_back: boolean
}

/**
 * Applies the pending migrations to the database at `url`. Refuses, changing nothing, a database
 * migrated by a newer Mañana, one whose last Prisma migration failed halfway, and one that holds
 * Procrastinate tables of a schema it does not know.
 */
export async function migrateDatabase(url: string, { log = (_line: string) => {} } = {}): Promise<MigrationReport> {
  const client = await connectCreatingDatabase({ connectionString: url, application_name: 'manana-migrate' }, log)
  try {
    await client.query('SET client_min_messages = warning')
    await client.query('SELECT pg_advisory_lock($1)', [migrationLock])
    const [found] = (
      await client.query<{ jobs: boolean; ledger: boolean }>(
        `SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS jobs, to_regclass('_prisma_migrations') IS NOT NULL AS ledger`,
      )
    ).rows
    const recorded = found!.ledger
      ? (
          await client.query<Recorded>(
            `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations`,
          )
        ).rows
      : []
    const known = migrations()
    const done = new Map(recorded.filter((row) => row.finished && !row.rolled_back).map((row) => [row.migration_name, row]))

    const failed = recorded.find((row) => !row.finished && !row.rolled_back && !done.has(row.migration_name))
    if (failed) {
      throw new ManaError(
        'migration_failed',
        `migration ${failed.migration_name} was started and never finished (by Prisma, without a transaction): repair the database, then mark it rolled back (prisma migrate resolve --rolled-back ${failed.migration_name})`,
      )
    }
    const unknown = [...done.keys()].filter((name) => !known.some((migration) => migration.name === name))
    if (unknown.length) {
      throw new ManaError('schema_newer', `the database was migrated by a newer Mañana (it has ${unknown.join(', ')}): upgrade manana`)
    }
    for (const migration of known) {
      const row = done.get(migration.name)
      if (row && row.checksum !== migration.checksum) log(`warning: migration ${migration.name} was changed after it was applied to this database`)
    }

    const report: MigrationReport = { applied: [] }
    const pending = known.filter((migration) => !done.has(migration.name))
    const first = known[0]!
    if (found!.jobs && pending[0] === first) {
      const differences = await procrastinateDifferences(client)
      if (differences.length) {
        throw new ManaError(
          'schema_unknown',
          `this database has Procrastinate tables, but not the schema of Procrastinate 3.4 to 3.9 that Mañana adopts; nothing was changed.\n  ${differences.join('\n  ')}\nAn older Procrastinate: apply its migrations up to 03.04.00_50 first.`,
        )
      }
      log("found Procrastinate 3.4–3.9's schema: adopting it in place")
      await applyInTransaction(client, first, async () => {
        report.adopted = await adoptProcrastinate(client, () => client.query(first.sql))
      })
      report.applied.push(first.name)
      pending.shift()
    }
    for (const migration of pending) {
      log(`applying ${migration.name}`)
      await applyInTransaction(client, migration, () => client.query(migration.sql))
      report.applied.push(migration.name)
    }
    return report
  } finally {
    await client.end() // ends the session, and with it the advisory lock
  }
}

async function applyInTransaction(client: pg.Client, migration: Migration, run: () => Promise<unknown>): Promise<void> {
  try {
    await withTransaction(client, async () => {
      const started = new Date()
      await client.query(createLedger)
      await run()
      await client.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, $2, $3, $4, now(), 1)`,
        [crypto.randomUUID(), migration.checksum, migration.name, started],
      )
    })
  } catch (error) {
    throw new ManaError('migration_failed', `migration ${migration.name} failed, and nothing of it was applied: ${(error as Error).message}`)
  }
}
