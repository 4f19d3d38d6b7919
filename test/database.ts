import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, inject } from 'vitest'
import { createPool } from '../lib/db/pool.ts'
import { fromPg, type Queryable } from '../lib/queue/queryable.ts'
import { withDatabaseName } from '../lib/db/scratch.ts'

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
    await context.sql(`TRUNCATE procrastinate_jobs, procrastinate_events, procrastinate_periodic_defers,
                       procrastinate_job_dependencies, procrastinate_workers, manana_tasks, manana_job_errors, manana_workflows
                       RESTART IDENTITY CASCADE`)
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
