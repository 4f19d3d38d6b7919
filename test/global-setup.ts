// One PostgreSQL server for the whole run (DATABASE_URL's, or embedded), and one migrated
// template database that each test file copies into a database of its own.
import type { TestProject } from 'vitest/node'
import pg from 'pg'
import { embeddedDataDir, startEmbeddedPostgres } from '../lib/db/embedded.ts'
import { migrateDatabase } from '../lib/db/migrate.ts'
import { withDatabaseName } from '../lib/db/create-database.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string
    templateDatabase: string
  }
}

export default async function setup(project: TestProject) {
  const server = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, stop: async () => {} }
    : await startEmbeddedPostgres(embeddedDataDir('test-postgres'))
  const template = `manana_test_template_${process.pid}`
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${template}`)
  await migrateDatabase(withDatabaseName(server.url, template))
  // Copies of a template may not be made while anyone is connected to it.
  await admin.query(`ALTER DATABASE ${template} WITH ALLOW_CONNECTIONS false`)
  project.provide('serverUrl', server.url)
  project.provide('templateDatabase', template)
  const version = await admin.query<{ server_version: string }>('SHOW server_version')
  console.log(`tests run on PostgreSQL ${version.rows[0]!.server_version}`)

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`)
    await admin.end()
    await server.stop()
  }
}
