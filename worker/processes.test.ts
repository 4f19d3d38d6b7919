// Real worker processes on a real database: a random DAG across four of them, one killed with
// SIGKILL mid-run, and PostgreSQL itself restarted mid-run.
import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { useTestDatabase, type TestDatabase } from '../test/database.ts'
import { manana, type Spawned } from '../test/processes.ts'
import { embeddedDataDir, startEmbeddedPostgres } from '../lib/db/embedded.ts'
import { migrateDatabase } from '../lib/db/migrate.ts'
import { createPool } from '../lib/db/pool.ts'
import { deferWorkflow, type Workflow } from '../lib/queue/defer.ts'
import { fromPg } from '../lib/queue/queryable.ts'

const t = useTestDatabase()
const workers: Spawned[] = []
afterEach(async () => {
  for (const worker of workers.splice(0)) {
    worker.child.kill('SIGKILL')
    await worker.exited
  }
})

const fastHealth = { MANANA_HEARTBEAT_INTERVAL: '0.5', MANANA_STALE_AFTER: '3' }

function startWorkers(url: string, count: number, concurrency: number, health = fastHealth) {
  for (let i = 0; i < count; i++) {
    workers.push(
      manana(url, ['worker', '--app', 'test/apps/dag-app.ts', '--concurrency', String(concurrency), '--poll-interval', '1', '--name', `w${i}`], health),
    )
  }
}

/** A random DAG: each job depends on up to 3 of the 200 jobs before it. Seeded: the same every run. */
function randomDag(size: number, ms: () => number, task = 'node'): Workflow {
  let seed = 42
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const workflow: Workflow = {}
  for (let i = 0; i < size; i++) {
    const parents = new Set<string>()
    const count = i === 0 ? 0 : Math.floor(random() * 4)
    for (let p = 0; p < count; p++) parents.add(`n${Math.max(0, i - 1 - Math.floor(random() * 200))}`)
    workflow[`n${i}`] = { task, args: { ms: ms() }, dependsOn: [...parents] }
  }
  return workflow
}

async function waitUntilAllFinished(db: { sql: TestDatabase['sql'] }, seconds: number, what: () => string) {
  const deadline = Date.now() + seconds * 1000
  for (;;) {
    const [row] = await db.sql(`SELECT count(*)::int AS left FROM procrastinate_jobs WHERE NOT manana_is_terminal(status)`).catch(() => [{ left: -1 }])
    if (row!.left === 0) return
    if (Date.now() > deadline) throw new Error(`${row!.left} jobs still unfinished after ${seconds} s\n${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Every job ran to success exactly once, and no child started before all its parents finished. */
async function expectDagRanInOrder(db: { sql: TestDatabase['sql'] }, size: number) {
  const [counts] = await db.sql(`
    SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
           (SELECT count(*) FROM procrastinate_events WHERE type = 'succeeded')::int AS success_events
    FROM procrastinate_jobs`)
  expect(counts).toEqual({ succeeded: size, success_events: size })
  const [early] = await db.sql(`
    SELECT count(*)::int AS n
    FROM procrastinate_job_dependencies AS edge
    JOIN procrastinate_events AS parent_done ON parent_done.job_id = edge.depends_on_job_id AND parent_done.type = 'succeeded'
    JOIN procrastinate_events AS child_start ON child_start.job_id = edge.job_id AND child_start.type = 'started'
    WHERE child_start.id < parent_done.id`)
  expect(early!.n).toBe(0)
}

describe('worker processes', () => {
  it('4 workers × concurrency 5 run a random 2,000-job DAG: each job once, children after parents', async () => {
    const workflow = randomDag(2000, () => Math.floor(Math.random() * 3))
    await deferWorkflow(t.db, workflow)
    startWorkers(t.url, 4, 5)
    await waitUntilAllFinished(t, 120, () => workers.map((w) => w.output().slice(-2000)).join('\n'))
    await expectDagRanInOrder(t, 2000)
    // Each job ran once: one attempt each. A job claimed ahead that waited a whole heartbeat on a
    // busy machine is put back unstarted (deferred_for_retry, no attempt) and claimed again, so
    // claims ('started' events) may outnumber jobs by exactly those releases.
    const [runs] = await t.sql(`
      SELECT (SELECT count(*) FROM procrastinate_jobs WHERE attempts <> 1)::int AS not_once,
             (SELECT count(*) FROM procrastinate_events WHERE type = 'started')::int
               - (SELECT count(*) FROM procrastinate_events WHERE type = 'deferred_for_retry')::int AS runs,
             (SELECT count(DISTINCT starting_worker_id) FROM procrastinate_events WHERE type = 'started')::int AS workers`)
    expect(runs).toEqual({ not_once: 0, runs: 2000, workers: 4 })
  })

  it('a worker killed with SIGKILL loses nothing: its closed connection gives its jobs back (no heartbeat timeout), the other keeps its own', async () => {
    const workflow = randomDag(300, () => 100 + Math.floor(Math.random() * 200))
    await deferWorkflow(t.db, workflow)
    // A heartbeat timeout of an hour: only the closed connection can tell that the victim is gone.
    startWorkers(t.url, 2, 5, { MANANA_HEARTBEAT_INTERVAL: '0.5', MANANA_STALE_AFTER: '3600' })
    const [victim, survivor] = workers as [Spawned, Spawned]
    for (;;) {
      const [row] = await t.sql(`SELECT count(*)::int AS n FROM procrastinate_jobs WHERE status = 'succeeded'`)
      if (row!.n >= 60) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    victim.child.kill('SIGKILL')
    await victim.exited
    await waitUntilAllFinished(t, 90, () => survivor.output().slice(-3000))
    await expectDagRanInOrder(t, 300)
    const recovered = await t.sql(`SELECT message FROM manana_job_errors`)
    expect(recovered.length).toBeGreaterThan(0)
    for (const { message } of recovered) expect(message).toMatch(/^worker \d+ "w0" \(pid \d+ on .*\) was lost: its database connection closed/)
    expect(survivor.output()).toMatch(/recovered: worker \d+ "w0"/)
  })

  it('a worker whose connections are terminated 50 times at random moments never exits, finishes every job and runs none twice at once', async () => {
    // test/apps/chaos-app.ts writes each run down, on connections of its own (not terminated here).
    await t.sql(`CREATE TABLE IF NOT EXISTS chaos_runs (id bigserial PRIMARY KEY, job_id bigint NOT NULL, attempt integer NOT NULL,
                 pid integer NOT NULL, started_at timestamptz NOT NULL, ended_at timestamptz)`)
    await deferWorkflow(t.db, randomDag(400, () => 10 + Math.floor(Math.random() * 60), 'chaos'))
    // Beating once a second (the default): between beats, only its beats while its lock is lost keep it alive.
    const worker = manana(t.url, ['worker', '--app', 'test/apps/chaos-app.ts', '--concurrency', '5', '--poll-interval', '1', '--name', 'victim'], {
      CHAOS_CONCURRENCY: '5',
    })
    workers.push(worker)
    // A second worker, on another queue, holding its own lock: it checks for gone workers (four
    // times a second in all) and would take the victim's jobs were the victim judged dead.
    const watcher = manana(t.url, ['worker', '--app', 'test/apps/chaos-app.ts', '--queues', 'elsewhere', '--name', 'watcher'], { ...fastHealth, CHAOS_CONCURRENCY: '1' })
    workers.push(watcher)
    // 50 rounds that each end at least one of its connections (a round between its reconnections,
    // or before its process has started, under load, finds none and does not count).
    let terminated = 0
    for (let round = 0; terminated < 50 && round < 2000; round++) {
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200))
      const [row] = await t.sql(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'manana-worker victim'`)
      terminated += row!.n
      expect(worker.child.exitCode, worker.output().slice(-3000)).toBeNull()
    }
    await waitUntilAllFinished(t, 90, () => worker.output().slice(-3000))
    expect(worker.child.exitCode, worker.output().slice(-3000)).toBeNull()
    expect(terminated).toBeGreaterThanOrEqual(50)
    const [counts] = await t.sql(`SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded FROM procrastinate_jobs`)
    expect(counts).toEqual({ succeeded: 400 })
    const [overlap] = await t.sql(
      `SELECT count(*)::int AS n FROM chaos_runs AS run JOIN chaos_runs AS other ON other.job_id = run.job_id
       WHERE other.id > run.id AND other.started_at < coalesce(run.ended_at, 'infinity')`,
    )
    expect(overlap!.n).toBe(0)
    // Never judged dead: no attempt was recovered from it.
    // (On failure, the victim's log says which beat came late.)
    expect(await t.sql('SELECT job_id, message FROM manana_job_errors'), worker.output().slice(-3000)).toEqual([])
    expect(watcher.output()).not.toMatch(/recovered/)
  })

  it("workers reconnect after PostgreSQL restarts mid-run and finish the DAG; one killed just before it loses nothing, and no live one is taken for dead", async () => {
    const dataDir = embeddedDataDir(`test-restart-${process.pid}`)
    let server = await startEmbeddedPostgres(dataDir)
    const port = Number(new URL(server.url).port)
    const pool = createPool(server.url)
    const db = { sql: fromPg(pool).query.bind(fromPg(pool)) as TestDatabase['sql'] }
    try {
      await migrateDatabase(server.url)
      await deferWorkflow(fromPg(pool), randomDag(300, () => 20 + Math.floor(Math.random() * 40)))
      // No heartbeat timeout: only the lock rule can give the killed worker's jobs back.
      startWorkers(server.url, 3, 5, { MANANA_HEARTBEAT_INTERVAL: '0.5', MANANA_STALE_AFTER: '3600' })
      const victim = workers[2]!
      for (;;) {
        const [row] = await db.sql(
          `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS done,
                  count(*) FILTER (WHERE status = 'doing' AND worker_id = (SELECT id FROM procrastinate_workers WHERE name = 'w2'))::int AS victims
           FROM procrastinate_jobs`,
        )
        if (row!.done >= 50 && row!.victims > 0) break
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      victim.child.kill('SIGKILL')
      await server.stop()
      await new Promise((resolve) => setTimeout(resolve, 1500))
      server = await startEmbeddedPostgres(dataDir, { port })
      await waitUntilAllFinished(db, 90, () => workers.map((w) => w.output().slice(-3000)).join('\n'))
      await expectDagRanInOrder(db, 300)
      expect(workers.map((w) => w.output()).join('\n')).toMatch(/trying again|listening again/)
      // Its jobs came back by its closed session, counted after the restart; nobody else's did.
      const errors = await db.sql<{ message: string }>('SELECT message FROM manana_job_errors')
      expect(errors.length).toBeGreaterThan(0)
      for (const { message } of errors) expect(message).toMatch(/^worker \d+ "w2" .* was lost: its database connection closed/)
    } finally {
      await pool.end()
      for (const worker of workers.splice(0)) {
        worker.child.kill('SIGKILL')
        await worker.exited
      }
      await server.stop()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

