// What the browser tests run against: a fresh database (on DATABASE_URL's server, or embedded),
// the console on the given port, and a worker running the demo's tasks.
import pg from 'pg'
import { openDatabase } from '../lib/db/database.ts'
import { migrateDatabase } from '../lib/db/migrate.ts'
import { app } from '../worker/demo/app.ts'
import { startConsole } from '../worker/start-console.ts'
import { Worker } from '../worker/worker.ts'

const port = Number(process.argv[2] ?? 3100)
const server = await openDatabase()
const name = `manana_e2e_${process.pid}`
const admin = new pg.Client({ connectionString: server.url })
await admin.connect()
await admin.query(`CREATE DATABASE ${name}`)
const url = new URL(server.url)
url.pathname = `/${name}`
process.env.DATABASE_URL = url.toString()
await migrateDatabase(url.toString())

let worker: Worker | undefined
let running: Promise<void> | undefined
async function shutDown() {
  worker?.stop()
  await running?.catch(() => {})
  await app.close()
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {})
  await admin.end()
  await server.stop()
  process.exit(0)
}
process.on('SIGTERM', shutDown)
process.on('SIGINT', shutDown)

await startConsole(url.toString(), port, console.log)
worker = new Worker(app, { concurrency: 10, pollInterval: 1, heartbeatInterval: 1, shutdownGrace: 1, log: () => {} })
running = worker.run()
console.log(`e2e: console on ${port}, database ${name}`)
