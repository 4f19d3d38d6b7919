import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, inject } from 'vitest'
import { createPool } from '../lib/db/pool.ts'
import { fromPg, type Queryable } from '../lib/queue/queryable.ts'
import { withDatabaseName } from '../lib/db/create-database.ts'

export interface TestDatabase {
  url: string
  pool: pg.Pool
  db: Queryable
  /** Runs SQL and returns its rows. */
  sql<Row = Record<string, any>>(text: string, values?: unknown[]): Promise<Row[]>
}

/**
 * A migrated database of this test file's own, emptied before each test. Ids restart at 1.
 */
export function useTestDatabase(): TestDatabase {
  const name = `manana_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`
  const serverUrl = inject('serverUrl')
  const context = { url: withDatabaseName(serverUrl, name) } as TestDatabase
  const admin = () => new pg.Client({ connectionString: serverUrl })

  beforeAll(async () => {
    const client = admin()
    await client.connect()
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`)
    await client.end()
    context.pool = createPool(context.url, { max: 20 })
    context.db = fromPg(context.pool)
    context.sql = context.db.query.bind(context.db) as TestDatabase['sql']
  })

  beforeEach(async () => {
    // Every table the migrations made, whatever a later migration adds.
    await context.sql(`DO $$ BEGIN
      EXECUTE (SELECT 'TRUNCATE ' || string_agg(quote_ident(tablename), ', ') || ' RESTART IDENTITY CASCADE'
               FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations');
    END $$`)
  })

  afterAll(async () => {
    await context.pool?.end()
    const client = admin()
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await client.end()
  })

  return context
}
