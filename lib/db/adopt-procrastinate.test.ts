// `manana migrate` on a database that Python Procrastinate 3.9 made and used: adopted in place,
// every row kept, and then Python and Mañana workers run new dependent jobs together. Upstream's
// package is test data in ../shared/upstream (absent from a user's clone: then this is skipped).
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { hasUpstream, python, pythonApp, upstreamDir } from '../../test/upstream-python.ts'
import { Worker } from '../../worker/worker.ts'
import { createApp } from '../queue/app.ts'
import { migrateDatabase, migrations } from './migrate.ts'
import { schemaVersion } from './schema-check.ts'
import { withDatabaseName } from './create-database.ts'

if (!hasUpstream) console.warn(`skipping the Procrastinate adoption tests: ${upstreamDir} is absent`)
const sqlDir = path.join(upstreamDir, 'procrastinate', 'sql')

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A new, empty database of this test's own; returns a client on it. */
async function emptyDatabase(): Promise<{ url: string; client: pg.Client }> {
  const name = `manana_adopt_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: inject('serverUrl') })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  const url = withDatabaseName(inject('serverUrl'), name)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  cleanups.push(async () => {
    await client.end()
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })
  return { url, client }
}

/** Upstream's app, with py_parent and py_child on queue "py". */
function pythonEnv(url: string) {
  const app = pythonApp(
    url,
    `
@app.task(name="py_parent", queue="py")
def py_parent():
    return {"from": "python"}

@app.task(name="py_child", queue="py", pass_context=True)
def py_child(context):
    pass
`,
  )
  cleanups.push(async () => app.remove())
  return { cwd: app.cwd, env: app.env }
}

/** Upstream's whole schema, applied by upstream's own command. */
function procrastinateSchemaApply(url: string) {
  const run = spawnSync(python, ['-m', 'procrastinate', '--app=py_app.app', 'schema', '--apply'], { ...pythonEnv(url), encoding: 'utf8' })
  expect(run.stderr + run.stdout).toContain('Done')
  expect(run.status).toBe(0)
}

/** Jobs in every status (ids 1–7; 8 deleted), with their events, a periodic defer and a live worker, written through upstream's functions. */
async function useLikePython(client: pg.Client) {
  const worker = Number((await client.query('SELECT worker_id FROM procrastinate_register_worker_v1()')).rows[0].worker_id)
  const defer = async (task: string, args: object = {}, lock: string | null = null) =>
    Number(
      (await client.query(`SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('default', $1, 0, $3, NULL, $2, NULL)::procrastinate_job_to_defer_v1]) AS ids`, [task, args, lock]))
        .rows[0].ids[0],
    )
  const fetch = async () => Number((await client.query('SELECT id FROM procrastinate_fetch_job_v2(NULL, $1)', [worker])).rows[0].id)
  const ids: number[] = []
  for (const end of ['succeeded', 'failed', 'aborted']) {
    ids.push(await defer(`ended_${end}`, { n: ids.length }))
    await fetch()
    if (end === 'aborted') await client.query('SELECT procrastinate_cancel_job_v1($1, true, false)', [ids.at(-1)])
    await client.query('SELECT procrastinate_finish_job_v1($1, $2, false)', [ids.at(-1), end])
  }
  ids.push(await defer('cancelled'))
  await client.query('SELECT procrastinate_cancel_job_v1($1, false, false)', [ids.at(-1)])
  ids.push(await defer('retried'))
  await fetch()
  await client.query(`SELECT procrastinate_retry_job_v2($1, now() + interval '1 hour', NULL, NULL, NULL)`, [ids.at(-1)])
  ids.push(await defer('running', {}, 'a lock'))
  await fetch()
  await client.query(`SELECT procrastinate_defer_periodic_job_v2('default', NULL, NULL, 'tick', 0, '', 1700000000, '{}')`)
  // A deleted job: its id is never given again.
  await client.query(`SELECT procrastinate_cancel_job_v1($1, false, true)`, [await defer('deleted')])
  return { worker }
}

const snapshot = async (client: pg.Client) => ({
  jobs: (
    await client.query(
      `SELECT id, queue_name, task_name, priority, lock, queueing_lock, args, status::text, scheduled_at, attempts, abort_requested, worker_id FROM procrastinate_jobs ORDER BY id`,
    )
  ).rows,
  events: (await client.query(`SELECT id, job_id, type::text, at FROM procrastinate_events ORDER BY id`)).rows,
  periodic: (await client.query(`SELECT id, task_name, defer_timestamp, job_id, periodic_id FROM procrastinate_periodic_defers ORDER BY id`)).rows,
  workers: (await client.query(`SELECT id, last_heartbeat FROM procrastinate_workers ORDER BY id`)).rows,
})

/** Every Procrastinate and Mañana object's definition, to see that a refusal changed nothing. */
const schemaOf = async (client: pg.Client) =>
  (
    await client.query(
      `SELECT c.relname || ':' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS d
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE c.relnamespace = 'public'::regnamespace GROUP BY c.relname
       UNION ALL SELECT p.oid::regprocedure::text || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
       UNION ALL SELECT nspname FROM pg_namespace ORDER BY 1`,
    )
  ).rows.map((row) => row.d)

async function until(probe: () => Promise<boolean>, what: string, seconds = 60) {
  const deadline = Date.now() + seconds * 1000
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('migrations', () => {
  it('know the newest migration as the schema version the code checks for', () => {
    expect(migrations().at(-1)!.name).toBe(schemaVersion)
  })
})

describe.skipIf(!hasUpstream)('adopting a Procrastinate 3.9 database', () => {
  it('keeps every row, then Python and Mañana workers run new dependent jobs together', { timeout: 120_000 }, async () => {
    const { url, client } = await emptyDatabase()
    procrastinateSchemaApply(url)
    const { worker } = await useLikePython(client)
    const before = await snapshot(client)
    expect(new Set(before.jobs.map((job) => job.status))).toEqual(new Set(['succeeded', 'failed', 'aborted', 'cancelled', 'todo', 'doing']))

    const lines: string[] = []
    const report = await migrateDatabase(url, { log: (line) => lines.push(line) })
    expect(lines[0]).toMatch(/found Procrastinate 3\.4–3\.9's schema/)
    expect(report.adopted).toEqual({ procrastinate_workers: 1, procrastinate_jobs: 7, procrastinate_events: before.events.length, procrastinate_periodic_defers: 1 })
    expect(report.applied).toEqual(migrations().map((migration) => migration.name))
    expect(await snapshot(client)).toEqual(before)
    const counters = await client.query(`SELECT count(*)::int AS n FROM procrastinate_jobs WHERE unfinished_parents <> 0`)
    expect(counters.rows[0].n).toBe(0)
    expect((await client.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'manana_adopting%'`)).rows[0].n).toBe(0)
    expect(await migrateDatabase(url)).toEqual({ applied: [] })

    // The running job's worker finishes it through the same function name, now Mañana's.
    await client.query(`SELECT procrastinate_update_heartbeat_v1($1)`, [worker])
    await client.query(`SELECT procrastinate_finish_job_v1(6, 'succeeded', false)`)

    // New ids follow the old ones. A Python parent, a TypeScript child, a Python grandchild.
    const app = createApp({ databaseUrl: url })
    const seen: unknown[] = []
    app.task('ts_child', { queue: 'ts' }, async (_args, ctx) => {
      seen.push(await ctx.getParentStatuses(), await ctx.getParentResults())
      return { from: 'typescript' }
    })
    const ids = await app.deferWorkflow({
      parent: { task: 'py_parent', queue: 'py' },
      child: { task: 'ts_child', queue: 'ts', dependsOn: ['parent'] },
      grandchild: { task: 'py_child', queue: 'py', dependsOn: ['child'] },
    })
    expect(ids).toEqual({ parent: 9, child: 10, grandchild: 11 })

    const tsWorker = new Worker(app, { queues: ['ts'], pollInterval: 0.2, log: () => {} })
    const tsRunning = tsWorker.run()
    const py = spawn(python, ['-m', 'procrastinate', '--app=py_app.app', 'worker', '--queues=py', '--wait'], { ...pythonEnv(url), stdio: ['ignore', 'pipe', 'pipe'] })
    let pyOutput = ''
    py.stdout.on('data', (chunk) => (pyOutput += chunk))
    py.stderr.on('data', (chunk) => (pyOutput += chunk))
    cleanups.push(async () => {
      py.kill('SIGTERM')
      tsWorker.stop()
      await tsRunning
      await app.close()
    })
    await until(async () => (await client.query(`SELECT status FROM procrastinate_jobs WHERE id = 11`)).rows[0].status === 'succeeded', `the grandchild (python: ${pyOutput})`)
    // Python Procrastinate keeps no results: its parent's is null.
    expect(seen).toEqual([{ 9: 'succeeded' }, { 9: null }])
    const order = await client.query(`SELECT job_id FROM procrastinate_events WHERE type = 'started' AND job_id >= 9 ORDER BY at, id`)
    expect(order.rows.map((row) => Number(row.job_id))).toEqual([9, 10, 11])
  })

  it("rolls back, changing nothing, when an object of the user's depends on Procrastinate's tables", async () => {
    const { url, client } = await emptyDatabase()
    await client.query(fs.readFileSync(path.join(sqlDir, 'schema.sql'), 'utf8'))
    await client.query(`CREATE VIEW my_failures AS SELECT id, task_name FROM procrastinate_jobs WHERE status = 'failed'`)
    const before = await schemaOf(client)
    const refused = await migrateDatabase(url).catch((error) => error)
    expect(refused).toMatchObject({ code: 'migration_failed', message: expect.stringMatching(/nothing of it was applied: cannot drop table .*procrastinate_jobs because other objects depend on it/) })
    expect(await schemaOf(client)).toEqual(before)
    expect((await client.query(`SELECT * FROM my_failures`)).rows).toEqual([])
  })

  it('refuses a schema it does not know, naming what it found, and changes nothing', async () => {
    // Procrastinate 3.2: upstream's migrations up to 03.02.00_50, before the 3.3 and 3.4 ones.
    const { url, client } = await emptyDatabase()
    const files = fs.readdirSync(path.join(sqlDir, 'migrations')).filter((file) => file.endsWith('.sql')).sort()
    for (const file of files.filter((file) => file < '03.03')) await client.query(fs.readFileSync(path.join(sqlDir, 'migrations', file), 'utf8'))
    await client.query(`INSERT INTO procrastinate_jobs (queue_name, task_name) VALUES ('default', 'kept')`)
    const before = await schemaOf(client)

    const refused = await migrateDatabase(url).catch((error) => error)
    expect(refused).toMatchObject({ code: 'schema_unknown', message: expect.stringContaining('function(s) missing: procrastinate_retry_job_v2') })
    expect(refused.message).toContain('apply its migrations up to 03.04.00_50')
    expect(await schemaOf(client)).toEqual(before)
    expect((await client.query(`SELECT task_name FROM procrastinate_jobs`)).rows).toEqual([{ task_name: 'kept' }])

    // Upstream's remaining migrations bring it to 3.9's schema, which is then adopted.
    for (const file of files.filter((file) => file >= '03.03')) await client.query(fs.readFileSync(path.join(sqlDir, 'migrations', file), 'utf8'))
    expect(await migrateDatabase(url)).toMatchObject({ adopted: { procrastinate_jobs: 1 } })
  })
})
