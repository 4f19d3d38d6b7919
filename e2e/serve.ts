// What the browser tests run against: a fresh database (on DATABASE_URL's server, or embedded),
// the console on the given port, and a worker running the demo's tasks.
import fs from 'node:fs'
import path from 'node:path'
import { createScratchDatabase } from '../lib/db/scratch.ts'
import { adminPassword, serverFile } from './admin.ts'
import { app } from '../worker/demo/app.ts'
import { startConsole } from '../worker/console-server.ts'
import { Worker, type LogRecord } from '../worker/worker.ts'

const port = Number(process.argv[2] ?? 3100)
const database = await createScratchDatabase('manana_e2e')
process.env.DATABASE_URL = database.url
process.env.MANANA_ADMIN_PASSWORD = adminPassword

let worker: Worker | undefined
let running: Promise<void> | undefined
async function shutDown() {
  worker?.stop()
  await running?.catch(() => {})
  await app.close()
  await database.drop()
  process.exit(0)
}
process.on('SIGTERM', shutDown)
process.on('SIGINT', shutDown)

await startConsole({ databaseUrl: database.url, port, host: '127.0.0.1', log: console.log })
// The tests that check the database directly find it here.
fs.mkdirSync(path.dirname(serverFile), { recursive: true })
fs.writeFileSync(serverFile, JSON.stringify({ databaseUrl: database.url, port }))
// Only what goes wrong in the worker itself is printed (CI's log keeps it; jobs fail on purpose here).
const logger = (record: LogRecord) => (record.event.startsWith('worker.') || record.event === 'job.outcome_dropped') && record.level !== 'info' && console.log(`worker: ${record.event}: ${record.message}`)
worker = new Worker(app, { concurrency: 10, pollInterval: 1, heartbeatInterval: 1, shutdownGrace: 1, logger })
running = worker.run()
console.log(`e2e: console on ${port}, database ${new URL(database.url).pathname.slice(1)}`)
