// The console server's connections, opened once per process (route bundles share them through
// globalThis): one pg pool, which the SQL functions and graph queries use, and Prisma's typed
// reads too (its adapter borrows the pool's connections). The live updates' LISTEN connection
// is the only other one (lib/console/live.ts).
import type pg from 'pg'
import { ensureFirstAdmin, firstAdminNotice } from '../auth/users.ts'
import { openDatabase } from '../db/database.ts'
import { createPool } from '../db/pool.ts'
import { checkSchema } from '../db/schema-check.ts'
import { createPrismaClient } from '../db/prisma.ts'
import type { PrismaClient } from '../db/generated/client.ts'
import { JobManager } from '../queue/job-manager.ts'
import { fromPg, type Queryable } from '../queue/queryable.ts'
import { logConnectionLost, logFirstAdmin } from './log.ts'

export interface ConsoleContext {
  url: string
  pool: pg.Pool
  db: Queryable
  jobs: JobManager
  prisma: PrismaClient
}

const shared = globalThis as { mananaConsole?: Promise<ConsoleContext> }

/** Opens the database in use (its schema must be current) the first time it is asked for. */
export function consoleContext(): Promise<ConsoleContext> {
  shared.mananaConsole ??= open().catch((error) => {
    shared.mananaConsole = undefined
    throw error
  })
  return shared.mananaConsole
}

async function open(): Promise<ConsoleContext> {
  const database = await openDatabase()
  const pool = createPool(database.url, { applicationName: 'manana-console', onConnectionLost: logConnectionLost })
  const db = fromPg(pool)
  try {
    await checkSchema(db)
  } catch (error) {
    await pool.end()
    throw error
  }
  const firstAdmin = await ensureFirstAdmin(db)
  if (firstAdmin) logFirstAdmin(firstAdminNotice(firstAdmin.password, process.env.MANANA_ADMIN_PASSWORD !== undefined))
  return { url: database.url, pool, db, jobs: new JobManager(db), prisma: createPrismaClient(pool) }
}
