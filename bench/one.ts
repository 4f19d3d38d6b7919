import { spawnSync } from 'node:child_process'
import { createScratchDatabase } from '../lib/db/scratch.ts'
const [scenario] = process.argv.slice(2)
const db = await createScratchDatabase('bench_one')
try {
  spawnSync(process.execPath, ['--import', 'tsx', 'bench/systems/manana.ts', scenario!, db.url], { stdio: 'inherit' })
} finally { await db.drop() }
