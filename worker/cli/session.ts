// What a command opens: the database in use, an app on it, the app module a user names. Each is
// closed, newest first, before the process exits (closeOpened).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type pg from 'pg'
import { openDatabase, type Database } from '../../lib/db/database.ts'
import { checkSchema } from '../../lib/db/schema-check.ts'
import { createApp, isApp, type App } from '../../lib/queue/app.ts'
import { fromPg } from '../../lib/queue/queryable.ts'
import { UsageError } from './command.ts'

const opened: Array<() => Promise<void>> = []

export async function closeOpened(): Promise<void> {
  for (const close of opened.reverse()) await close().catch(() => {})
}

/**
 * Opens the database in use (DATABASE_URL, or embedded PostgreSQL under ./.manana, stopped when
 * this command ends), points this process and the app it loaded at it, and migrates it or checks
 * that its schema is current.
 */
export async function useDatabase({ migrate }: { migrate: boolean }): Promise<Database> {
  const database = await openDatabase({ migrate, log: console.log })
  opened.push(() => database.stop())
  process.env.DATABASE_URL = database.url
  return database
}

/** An app on `url` whose connections say they are the CLI's, closed when the command ends. */
export async function openApp(url: string): Promise<App> {
  const app = createApp({ databaseUrl: url })
  opened.push(() => app.close())
  await app.pool({ applicationName: 'manana-cli', max: 2 })
  return app
}

/** An app on the database in use, whose schema is checked to be current. */
export async function appWithSchema(): Promise<App> {
  const app = await openApp((await useDatabase({ migrate: false })).url)
  await checkSchema(fromPg(await app.pool()))
  return app
}

/** The console's audit names CLI changes after the user running the command. */
export function cliActor(pool: pg.Pool) {
  return { pool, audit: { actor: { name: `cli:${os.userInfo().username}`, role: 'admin' as const }, source: 'cli' } }
}

/** The app a module exports; TypeScript modules are compiled on the fly (tsx). */
export async function loadApp(module: string): Promise<App> {
  const file = path.resolve(module)
  if (!fs.existsSync(file)) throw new UsageError(`--app ${module}: no such file (${file})`)
  const url = pathToFileURL(file).href
  const loaded = /\.[cm]?tsx?$/.test(file) ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url) : await import(url)
  // A CommonJS module's exports arrive as the namespace's default.
  const app = [loaded.app, loaded.default, loaded.default?.app, loaded.default?.default].find(isApp)
  if (!app) throw new UsageError(`${module} exports no app: export const app = createApp() (module.exports = { app } in CommonJS)`)
  opened.push(() => app.close())
  return app
}
