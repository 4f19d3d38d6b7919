// npm run functions:generate: writes prisma/functions/<name>.sql for every SQL function of a
// freshly migrated database (DATABASE_URL's server, or embedded PostgreSQL), and removes the
// files of functions that no longer exist.
import fs from 'node:fs'
import path from 'node:path'
import { fromPg } from '../queue/queryable.ts'
import { currentFunctions, functionFile } from './functions.ts'
import { createPool } from './pool.ts'
import { projectRoot } from './project-root.ts'
import { createScratchDatabase } from './scratch.ts'

const dir = path.join(projectRoot, 'prisma', 'functions')
const scratch = await createScratchDatabase('manana_functions')
const pool = createPool(scratch.url, { max: 1 })
try {
  const functions = await currentFunctions(fromPg(pool))
  fs.mkdirSync(dir, { recursive: true })
  for (const file of fs.readdirSync(dir)) if (!functions.has(file.replace(/\.sql$/, ''))) fs.rmSync(path.join(dir, file))
  for (const [name, definitions] of functions) fs.writeFileSync(path.join(dir, `${name}.sql`), functionFile(definitions))
  console.log(`wrote ${functions.size} function files to ${path.relative(process.cwd(), dir)}/`)
} finally {
  await pool.end()
  await scratch.drop()
}
