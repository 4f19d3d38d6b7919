// Mañana's side of `npm run bench`: one scenario per process, on the database given, with the
// defaults a user gets (createApp, Worker at concurrency 10, a pool of 10).
// Usage: tsx bench/systems/manana.ts SCENARIO DATABASE_URL
import type pg from 'pg'
import { withDatabaseName } from '../../lib/db/create-database.ts'
import { migrateDatabase } from '../../lib/db/migrate.ts'
import { createClient } from '../../lib/db/pool.ts'
import { createApp, type App } from '../../lib/queue/app.ts'
import type { Workflow } from '../../lib/queue/defer.ts'
import { Worker } from '../../worker/worker.ts'
import { HopMeter, now, report, sizes, ThroughputMeter } from '../meter.ts'
import { enqueueFigures, walPerJob } from '../wal.ts'

const [scenario, databaseUrl] = process.argv.slice(2)

/** Runs a worker until `done`, then stops it. */
async function work(app: App, done: Promise<void>) {
  const worker = new Worker(app, { concurrency: sizes.concurrency, log: () => {} })
  const running = worker.run()
  await done
  worker.stop()
  await running
}

async function deferInBatches(app: App, count: number) {
  for (let i = 0; i < count; i += sizes.enqueueBatch) {
    await app.defer(Array.from({ length: Math.min(sizes.enqueueBatch, count - i) }, () => ({ task: 'noop' })))
  }
}

/**
 * No-op jobs deferred by `defer`, then run: jobs per second (after the first `warmUp`), and the
 * write-ahead log's bytes per job, deferring and running.
 */
async function throughput(app: App, total: number, warmUp: number, defer: () => Promise<void>): Promise<Record<string, number>> {
  const meter = new ThroughputMeter(total, warmUp)
  app.task('noop', {}, () => meter.ran())
  const [walDeferPerJob, walRunPerJob] = await walPerJob(databaseUrl!, total, [
    defer,
    async () => {
      await (await app.pool()).query('ANALYZE procrastinate_jobs')
      await work(app, meter.done)
    },
  ])
  return { jobsPerSecond: meter.rate(), walDeferPerJob: walDeferPerJob!, walRunPerJob: walRunPerJob! }
}

/** Defers workflows, whole, in calls of about 10,000 jobs each (keys prefixed per workflow). */
async function deferWorkflows(app: App, workflows: Workflow[]) {
  let batch: Workflow = {}
  for (const [w, workflow] of workflows.entries()) {
    for (const [key, job] of Object.entries(workflow)) {
      batch[`${w}.${key}`] = { ...job, dependsOn: job.dependsOn?.map((parent) => (typeof parent === 'string' ? `${w}.${parent}` : parent)) }
    }
    if (Object.keys(batch).length >= 10_000) {
      await app.deferWorkflow(batch)
      batch = {}
    }
  }
  if (Object.keys(batch).length) await app.deferWorkflow(batch)
}

/**
 * The floor under a DAG hop: the p50 of committing one single-row update, from this process on
 * its own connection (what a hop cannot beat: the parent's end must be committed before its
 * child may start).
 */
async function commitFloor(): Promise<number> {
  const client = createClient({ connectionString: databaseUrl })
  await client.connect()
  await client.query('CREATE TABLE floor_probe (n integer); INSERT INTO floor_probe VALUES (0)')
  const times: number[] = []
  for (let i = 0; i < 1000; i++) {
    const started = now()
    await client.query('UPDATE floor_probe SET n = n + 1')
    times.push(now() - started)
  }
  await client.end()
  return times.sort((a, b) => a - b)[500]!
}

/**
 * The floor under deferring a DAG: inserting its rows and its edges in one transaction into plain
 * tables shaped as Mañana's (same columns and indexes, the edges' foreign keys, no triggers),
 * from arrays of each node's parents (node numbers).
 */
async function dagFloor(parents: number[][]): Promise<number> {
  const client = createClient({ connectionString: databaseUrl })
  await client.connect()
  await client.query(`CREATE TABLE floor_jobs (LIKE procrastinate_jobs INCLUDING ALL);
    CREATE TABLE floor_edges (LIKE procrastinate_job_dependencies INCLUDING ALL,
      FOREIGN KEY (job_id) REFERENCES floor_jobs (id), FOREIGN KEY (depends_on_job_id) REFERENCES floor_jobs (id))`)
  const children = parents.flatMap((of, child) => of.map(() => child))
  const started = now()
  await client.query('BEGIN')
  await client.query(
    `WITH ids AS (SELECT node, nextval('procrastinate_jobs_id_seq') AS id FROM generate_series(0, $1 - 1) AS node),
     waiting AS (SELECT child AS node, count(*)::integer AS n FROM unnest($2::integer[]) AS child GROUP BY child),
     jobs AS (
       INSERT INTO floor_jobs (id, queue_name, task_name, unfinished_parents)
       SELECT ids.id, 'default', 'noop', coalesce(waiting.n, 0) FROM ids LEFT JOIN waiting USING (node)
     )
     INSERT INTO floor_edges (job_id, depends_on_job_id)
     SELECT child.id, parent.id FROM unnest($2::integer[], $3::integer[]) AS edge (child, parent)
     JOIN ids AS child ON child.node = edge.child JOIN ids AS parent ON parent.node = edge.parent`,
    [parents.length, children, parents.flat()],
  )
  await client.query('COMMIT')
  const ms = now() - started
  await client.end()
  return ms
}

const chain = (length: number): Workflow =>
  Object.fromEntries(Array.from({ length }, (_, i) => [`n${i}`, { task: 'noop', args: { index: i }, dependsOn: i ? [`n${i - 1}`] : [] }]))

const scenarios: Record<string, (app: App) => Promise<Record<string, number>>> = {
  throughput: (app) => throughput(app, sizes.throughputJobs, sizes.warmUp, () => deferInBatches(app, sizes.throughputJobs)),
  async chains(app) {
    const workflows = Array.from({ length: sizes.chains }, () => chain(sizes.chainLength))
    return throughput(app, sizes.chains * sizes.chainLength, 1, () => deferWorkflows(app, workflows))
  },
  async fan(app) {
    const workflow: Workflow = { root: { task: 'noop' }, sink: { task: 'noop', dependsOn: [] } }
    for (let i = 0; i < sizes.fanWidth; i++) {
      workflow[`m${i}`] = { task: 'noop', dependsOn: ['root'] }
      workflow.sink!.dependsOn!.push(`m${i}`)
    }
    return throughput(app, sizes.fanWidth + 2, 1, () => deferWorkflows(app, [workflow]))
  },
  async map(app) {
    // 1 → 5,000 → 1 made at run time (a map step spawns the 5,000 with its success) against the
    // same fan deferred up front, in this process on one database, alternating, twice each; each
    // timed from the call that defers it to its last job's end.
    let finish: () => void = () => {}
    const noop = app.task('noop', {}, () => null)
    const list = app.task('list', {}, () => ({ items: Array.from({ length: sizes.fanWidth }, (_, i) => ({ i })) }))
    const sink = app.task('sink', {}, () => finish())
    const mapped = app.workflow('mapped', {}, (w) => {
      const listed = w.step('list', list, {})
      const items = w.map('item', noop, { over: listed, items: (result) => result.items })
      w.step('sink', sink, {}, { after: [items] })
    })
    const upFront = (): Workflow => {
      const workflow: Workflow = { root: { task: 'noop' }, sink: { task: 'sink', dependsOn: [] } }
      for (let i = 0; i < sizes.fanWidth; i++) {
        workflow[`m${i}`] = { task: 'noop', args: { i }, dependsOn: ['root'] }
        workflow.sink!.dependsOn!.push(`m${i}`)
      }
      return workflow
    }
    const timed = async (defer: () => Promise<unknown>) => {
      const done = new Promise<void>((resolve) => (finish = resolve))
      const started = now()
      await defer()
      await done
      return now() - started
    }
    const worker = new Worker(app, { concurrency: sizes.concurrency, log: () => {} })
    const running = worker.run()
    const mapMs: number[] = []
    const upFrontMs: number[] = []
    for (let round = 0; round < 2; round++) {
      upFrontMs.push(await timed(() => app.deferWorkflow(upFront())))
      mapMs.push(await timed(() => mapped.defer({})))
    }
    worker.stop()
    await running
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
    return { mapMs: mean(mapMs), upFrontMs: mean(upFrontMs), ratio: mean(mapMs) / mean(upFrontMs) }
  },
  async hops(app) {
    const meter = new HopMeter(sizes.hopChain)
    app.task('link', {}, async ({ index }: { index: number }) => meter.start(index)())
    await app.deferWorkflow(Object.fromEntries(Array.from({ length: sizes.hopChain }, (_, i) => [`n${i}`, { task: 'link', args: { index: i }, dependsOn: i ? [`n${i - 1}`] : [] }])))
    await work(app, meter.done)
    return { ...meter.percentiles(), floorP50: await commitFloor() }
  },
  enqueue: (app) => enqueueFigures(databaseUrl!, sizes.enqueueJobs, (count) => deferInBatches(app, count)),
  async dag(app) {
    // Each node depends on one or two earlier ones: a wide, deep DAG of 10,000 jobs in one call.
    const workflow: Workflow = {}
    for (let i = 0; i < sizes.dagNodes; i++) {
      const parents = i === 0 ? [] : [...new Set([`n${Math.floor(i / 2)}`, `n${Math.floor(i / 3)}`])].filter((key) => key !== `n${i}`)
      workflow[`n${i}`] = { task: 'noop', dependsOn: parents }
    }
    const floorMs = await dagFloor(Object.values(workflow).map((job) => job.dependsOn!.map((key) => Number(String(key).slice(1)))))
    const started = now()
    await app.deferWorkflow(workflow)
    return { milliseconds: now() - started, floorMs }
  },
  async flatness(app) {
    const client = createClient({ connectionString: databaseUrl })
    await client.connect()
    const empty = await throughput(app, 20_000, 2_000, () => deferInBatches(app, 20_000))
    // A million finished jobs and 100,000 waiting on a parent that never finishes.
    await client.query(`INSERT INTO procrastinate_jobs (queue_name, task_name, status, attempts) SELECT 'default', 'done', 'succeeded', 1 FROM generate_series(1, 1000000)`)
    const [parent] = await app.defer([{ task: 'never', queue: 'elsewhere', scheduleIn: 86_400 }])
    await client.query(
      `SELECT count(*) FROM manana_defer_jobs((SELECT jsonb_agg(jsonb_build_object('task_name', 'child', 'depends_on', jsonb_build_array($1::bigint))) FROM generate_series(1, 100000)))`,
      [parent],
    )
    await client.query('VACUUM ANALYZE procrastinate_jobs')
    const fresh = createApp({ databaseUrl }) // a second app: the first has its noop task already
    const full = await throughput(fresh, 20_000, 2_000, () => deferInBatches(fresh, 20_000))
    await fresh.close()
    // The fetch's latency on this full table and on an empty one (a new database), in rounds
    // taken in turn: a machine whose speed drifts over a minute moves both alike.
    const emptyName = `bench_empty_${process.pid}`
    await client.query(`CREATE DATABASE ${emptyName}`)
    try {
      const emptyUrl = withDatabaseName(databaseUrl!, emptyName)
      await migrateDatabase(emptyUrl)
      const emptyClient = createClient({ connectionString: emptyUrl })
      await emptyClient.connect()
      const [emptyFetch, fullFetch] = await fetchLatencies([emptyClient, client])
      await emptyClient.end()
      return {
        emptyJobsPerSecond: empty.jobsPerSecond!,
        emptyWalRunPerJob: empty.walRunPerJob!,
        fullJobsPerSecond: full.jobsPerSecond!,
        fullWalRunPerJob: full.walRunPerJob!,
        emptyFetchMs: emptyFetch!,
        fullFetchMs: fullFetch!,
      }
    } finally {
      await client.query(`DROP DATABASE IF EXISTS ${emptyName} WITH (FORCE)`)
      await client.end()
    }
  },
}

/**
 * The p50 of fetching one job of queue `probe` (and finishing it) on each database: 1,000
 * fetches each, in rounds of 100 taken in turn, after one unmeasured round each.
 */
async function fetchLatencies(clients: pg.Client[]): Promise<number[]> {
  for (const client of clients) {
    await client.query(`INSERT INTO procrastinate_jobs (queue_name, task_name) SELECT 'probe', 'probe' FROM generate_series(1, 1100)`)
    await client.query('ANALYZE procrastinate_jobs')
  }
  const times = clients.map((): number[] => [])
  for (let round = -1; round < 10; round++) {
    for (const [c, client] of clients.entries()) {
      for (let i = 0; i < 100; i++) {
        const started = now()
        const { rows } = await client.query(`SELECT id FROM manana_fetch_jobs('{probe}', NULL, 1)`)
        if (round >= 0) times[c]!.push(now() - started)
        await client.query(`SELECT manana_finish_job($1, 'succeeded', NULL, false)`, [rows[0].id])
      }
    }
  }
  return times.map((samples) => samples.sort((a, b) => a - b)[500]!)
}

const run = scenarios[scenario!]
if (!run || !databaseUrl) throw new Error(`usage: manana.ts ${Object.keys(scenarios).join('|')} DATABASE_URL`)
const app = createApp({ databaseUrl })
report(await run(app))
await app.close()
