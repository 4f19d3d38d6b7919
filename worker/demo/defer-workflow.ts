// npm run demo:workflow: defers the demo's workflows (after applying pending migrations) and
// prints their job ids; `npm run worker` then runs them.
import { openDatabase } from '../../lib/db/database.ts'
import { app } from './app.ts'
import { deferDemoWorkflows } from './workflow.ts'

const database = await openDatabase({ migrate: true })
process.env.DATABASE_URL = database.url
try {
  console.log(JSON.stringify(await deferDemoWorkflows(), null, 2))
} finally {
  await app.close()
  await database.stop()
}
