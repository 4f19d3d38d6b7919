// Where the write-ahead log of a scenario goes: runs one of Mañana's scenarios that measure the log
// (throughput, chains, fan, enqueue) on a fresh database of DATABASE_URL's server, then reads each
// of its steps' log with the server's pg_waldump and prints the bytes a job by relation (table or
// index) and by record type. Needs a server on this machine whose pg_wal directory this user can
// read (root, or the server's own user) and its pg_waldump (beside Debian's PostgreSQL programs, or
// given in PG_WALDUMP; embedded PostgreSQL has none). Run it alone: the log is the whole server's.
// Usage: DATABASE_URL=… tsx bench/wal-by-relation.ts SCENARIO
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createClient } from '../lib/db/pool.ts'
import { withFreshDatabase } from './fresh-database.ts'
import { sizes } from './meter.ts'

const [scenario] = process.argv.slice(2)
const jobsOf: Record<string, number> = {
  throughput: sizes.throughputJobs,
  chains: sizes.chains * sizes.chainLength,
  fan: sizes.fanWidth + 2,
  enqueue: sizes.enqueueJobs,
}
if (!scenario || !(scenario in jobsOf) || !process.env.DATABASE_URL) throw new Error(`usage: DATABASE_URL=… wal-by-relation.ts ${Object.keys(jobsOf).join('|')}`)
const jobs = jobsOf[scenario]!

await withFreshDatabase(async (databaseUrl) => {
  const client = createClient({ connectionString: databaseUrl }, (error) => console.error(`wal-by-relation: the connection was lost: ${error.message}`))
  await client.connect()
  const marksDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'manana-wal-'))
  let walDirectory: string, waldump: string, marks: string[], names: Map<string, string>
  // Closed and removed whatever happens: an open connection would keep the database from being dropped.
  try {
    const setting = async (name: string) => (await client.query<{ value: string }>('SELECT current_setting($1) AS value', [name])).rows[0]!.value
    walDirectory = path.join(await setting('data_directory'), 'pg_wal')
    const major = Math.floor(Number(await setting('server_version_num')) / 10000)
    waldump = process.env.PG_WALDUMP ?? `/usr/lib/postgresql/${major}/bin/pg_waldump`
    if (!fs.existsSync(waldump)) throw new Error(`no pg_waldump at ${waldump}: give its path in PG_WALDUMP`)
    fs.accessSync(walDirectory, fs.constants.R_OK)
    const marksFile = path.join(marksDirectory, 'marks')
    execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'systems', 'manana.ts'), scenario, databaseUrl], {
      env: { ...process.env, BENCH_WAL_MARKS_FILE: marksFile },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    marks = JSON.parse(fs.readFileSync(marksFile, 'utf8').trim().split('\n').at(-1)!)
    names = new Map(
      (await client.query<{ node: string; name: string }>('SELECT pg_relation_filenode(oid)::text AS node, relname AS name FROM pg_class WHERE pg_relation_filenode(oid) IS NOT NULL')).rows.map(
        (row) => [row.node, row.name],
      ),
    )
  } finally {
    await client.end()
    fs.rmSync(marksDirectory, { recursive: true, force: true })
  }

  const record = /^rmgr: (\S+)\s+len \(rec\/tot\):\s*\d+\/\s*(\d+),.*?desc: (\S+)/
  const relation = /blkref #0: rel \d+\/\d+\/(\d+)/
  const top = (sums: Map<string, number>) =>
    [...sums].sort((a, b) => b[1] - a[1]).filter(([, bytes]) => bytes / jobs >= 1).map(([key, bytes]) => `  ${(bytes / jobs).toFixed(0).padStart(6)}  ${key}`).join('\n')
  for (let step = 0; step + 1 < marks.length; step++) {
    const byRelation = new Map<string, number>()
    const byRecord = new Map<string, number>()
    let total = 0
    const dump = execFileSync(waldump, ['-p', walDirectory, '-s', marks[step]!, '-e', marks[step + 1]!], { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    for (const line of dump.split('\n')) {
      const found = record.exec(line)
      if (!found) continue
      const bytes = Number(found[2])
      const node = relation.exec(line)?.[1]
      const key = node === undefined ? '(no relation: commits and the like)' : (names.get(node) ?? `relation ${node}`)
      byRelation.set(key, (byRelation.get(key) ?? 0) + bytes)
      byRecord.set(`${found[1]}/${found[3]}`, (byRecord.get(`${found[1]}/${found[3]}`) ?? 0) + bytes)
      total += bytes
    }
    console.log(`${scenario}, step ${step + 1} of ${marks.length - 1} (${marks[step]}..${marks[step + 1]}): ${(total / jobs).toFixed(0)} bytes a job`)
    console.log(`by relation:\n${top(byRelation)}\nby record:\n${top(byRecord)}\n`)
  }
})
