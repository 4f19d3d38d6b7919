// npm run chaos [-- --seed N --jobs 5000 --workers 4 --concurrency 10]
//
// A seeded random DAG (chains, fan-ins of 200–400 parents, lock groups, first attempts that
// fail) run by worker processes while the harness SIGKILLs one every 5–10 s (and starts another),
// restarts PostgreSQL once, and stops one worker with SIGTERM. Then it checks, from the database
// and the runs the tasks wrote down themselves (test/apps/chaos-app.ts):
//   nothing lost or stuck · no child started before all its parents ended · no job ran twice at
//   once · no lock group ran two jobs at once · events in time order · no deadlock
// prints the recovery times of the killed workers' jobs and claim → start, and exits 1 on any
// violation. PostgreSQL: an embedded server of its own; or DATABASE_URL's server (a database is
// made on it) with --restart-command, the shell command that restarts that server.
import { execSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/db/embedded.ts'
import { migrateDatabase } from '../lib/db/migrate.ts'
import { withDatabaseName } from '../lib/db/create-database.ts'
import { deferJobs, type JobToDefer } from '../lib/queue/defer.ts'
import { fromPg } from '../lib/queue/queryable.ts'
import { manana, type Spawned } from './processes.ts'

const { values: options } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    jobs: { type: 'string', default: '5000' },
    workers: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '10' },
    'restart-command': { type: 'string' },
    /** The same run without chaos: what it costs, by comparison. */
    calm: { type: 'boolean', default: false },
  },
})
const seed = Number(options.seed)
const jobCount = Number(options.jobs)
const workerCount = Number(options.workers)
const concurrency = Number(options.concurrency)
const calm = options.calm

/** A seeded random number generator (mulberry32): the same DAG and kill times for a seed. */
function randomOf(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const random = randomOf(seed)
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1))

/** Each job depends on up to 3 of the 300 before it; every 500th on 200–400 earlier ones. */
function chaosDag(size: number): JobToDefer[] {
  const jobs: JobToDefer[] = []
  for (let i = 0; i < size; i++) {
    const parents = new Set<string>()
    const fanIn = i >= 500 && i % 500 === 0
    const count = i === 0 ? 0 : fanIn ? between(200, 400) : between(0, 3)
    for (let p = 0; p < count; p++) parents.add(`n${Math.max(0, i - 1 - between(0, fanIn ? i - 1 : 300))}`)
    jobs.push({
      key: `n${i}`,
      task: 'chaos',
      args: { ms: between(20, 400), ...(random() < 0.05 && { failFirst: true }) },
      ...(random() < 0.1 && { lock: `group${between(1, 20)}` }),
      dependsOn: [...parents],
    })
  }
  return jobs
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const percentile = (values: number[], p: number) => {
  if (!values.length) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

interface Server {
  url: string
  restart(): Promise<void>
  close(): Promise<void>
}

async function openServer(): Promise<Server> {
  const external = process.env.DATABASE_URL
  if (external) {
    const command = options['restart-command']
    if (!command && !calm) throw new Error('with DATABASE_URL, give --restart-command: the shell command that restarts that server')
    const name = `manana_chaos_${process.pid}`
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: external })
      await client.connect()
      await client.query(sql).finally(() => client.end())
    }
    await admin(`CREATE DATABASE ${name}`)
    return {
      url: withDatabaseName(external, name),
      restart: async () => void execSync(command!, { stdio: 'inherit' }),
      close: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    }
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'manana-chaos-'))
  fs.rmSync(dataDir, { recursive: true })
  let server: EmbeddedDatabase = await startEmbeddedPostgres(dataDir)
  const port = Number(new URL(server.url).port)
  return {
    url: server.url,
    restart: async () => {
      await server.stop()
      server = await startEmbeddedPostgres(dataDir, { port })
    },
    close: async () => {
      await server.stop()
      fs.rmSync(dataDir, { recursive: true, force: true })
      fs.rmSync(`${dataDir}.password`, { force: true })
    },
  }
}

interface Kill {
  pid: number
  workerId: number | null
  at: number
  /** Jobs it held doing when killed, and when the last of them was recovered. */
  held: number[]
  recoveredAt?: number
}

async function main(): Promise<number> {
  const server = await openServer()
  const pool = new pg.Pool({ connectionString: server.url, max: 4 })
  pool.on('error', () => {})
  const sql = async <Row = any>(text: string, values?: unknown[]): Promise<Row[]> => (await pool.query(text, values)).rows as Row[]
  const workers = new Set<Spawned>()
  const output: string[] = []
  /** When each worker process exited, and those the harness killed or stopped. */
  const exits = new Map<number, number>()
  const stopped = new Set<number>()
  const violations: string[] = []
  const stop = (worker: Spawned, signal: 'SIGKILL' | 'SIGTERM') => {
    stopped.add(worker.child.pid!)
    worker.child.kill(signal)
  }
  let serial = 0
  const startWorker = () => {
    const spawned = manana(server.url, ['worker', '--app', 'test/apps/chaos-app.ts', '--concurrency', String(concurrency), '--name', `chaos${serial++}`], {
      CHAOS_CONCURRENCY: String(concurrency),
    })
    workers.add(spawned)
    const pid = spawned.child.pid!
    spawned.child.on('exit', (code, signal) => {
      exits.set(pid, Date.now())
      if (!stopped.has(pid)) violations.push(`worker pid ${pid} exited by itself (${signal ?? `code ${code}`})`)
    })
    void spawned.exited.then(() => {
      workers.delete(spawned)
      output.push(spawned.output())
    })
    return spawned
  }
  try {
    await migrateDatabase(server.url)
    await sql(`CREATE TABLE chaos_runs (id bigserial PRIMARY KEY, job_id bigint NOT NULL, attempt integer NOT NULL,
               pid integer NOT NULL, started_at timestamptz NOT NULL, ended_at timestamptz)`)
    const [deadlocksBefore] = await sql(`SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`)
    await deferJobs(fromPg(pool), chaosDag(jobCount))
    console.log(`seed ${seed}: ${jobCount} jobs, ${workerCount} workers × concurrency ${concurrency}`)

    const began = Date.now()
    for (let i = 0; i < workerCount; i++) startWorker()
    const kills: Kill[] = []
    let nextKill = calm ? Infinity : began + between(5000, 10000)
    let restarted = calm
    let terminated = calm
    const deadline = began + 15 * 60_000
    for (;;) {
      const [state] = await sql<{ left: number; done: number }>(
        `SELECT count(*) FILTER (WHERE NOT manana_is_terminal(status))::int AS left,
                count(*) FILTER (WHERE manana_is_terminal(status))::int AS done FROM procrastinate_jobs`,
      ).catch(() => [undefined])
      if (state?.left === 0) break
      if (Date.now() > deadline) break
      const now = Date.now()
      if (state && !terminated && state.done > jobCount * 0.3) {
        terminated = true
        const victim = [...workers][between(0, workers.size - 1)]!
        console.log(`${seconds(now - began)}: SIGTERM to worker pid ${victim.child.pid}`)
        stop(victim, 'SIGTERM')
        void victim.exited.then(() => startWorker())
      }
      if (state && !restarted && state.done > jobCount * 0.5) {
        restarted = true
        console.log(`${seconds(now - began)}: restarting PostgreSQL`)
        await server.restart()
        console.log(`${seconds(Date.now() - began)}: PostgreSQL is back`)
      }
      if (now >= nextKill && workers.size) {
        nextKill = now + between(5000, 10000)
        const victim = [...workers][between(0, workers.size - 1)]!
        const pid = victim.child.pid!
        const [worker] = await sql<{ id: number }>(`SELECT id::int FROM procrastinate_workers WHERE pid = $1`, [pid]).catch(() => [])
        stop(victim, 'SIGKILL')
        const at = Date.now()
        const held = worker
          ? (await sql<{ id: number }>(`SELECT id::int FROM procrastinate_jobs WHERE status = 'doing' AND worker_id = $1`, [worker.id]).catch(() => [])).map((row) => row.id)
          : []
        kills.push({ pid, workerId: worker?.id ?? null, at, held })
        console.log(`${seconds(at - began)}: SIGKILL to worker pid ${pid}, holding ${held.length} job(s)`)
        startWorker()
      }
      for (const kill of kills) {
        if (kill.recoveredAt !== undefined || !kill.held.length) continue
        const [row] = await sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM procrastinate_jobs WHERE id = ANY ($1) AND status = 'doing' AND worker_id = $2`,
          [kill.held, kill.workerId],
        ).catch(() => [undefined])
        if (row?.n !== 0) continue
        kill.recoveredAt = Date.now()
        console.log(`${seconds(kill.recoveredAt - began)}: the jobs of worker pid ${kill.pid} recovered, ${seconds(kill.recoveredAt - kill.at)} after its SIGKILL`)
      }
      await sleep(100)
    }
    const elapsed = Date.now() - began
    const stopping = [...workers]
    for (const worker of stopping) stop(worker, 'SIGTERM')
    await Promise.all(stopping.map((worker) => worker.exited))
    const logs = output.join('\n') // every worker's, each written down as it exited

    const check = (count: number, what: string) => {
      if (count > 0) violations.push(`${count} ${what}`)
    }
    const [left] = await sql(`SELECT count(*)::int AS n FROM procrastinate_jobs WHERE NOT manana_is_terminal(status)`)
    check(left.n, 'jobs not finished (lost or stuck)')
    const [total] = await sql(`SELECT count(*)::int AS n FROM procrastinate_jobs`)
    check(jobCount - total.n, 'jobs missing')
    const [statuses] = await sql(`SELECT jsonb_object_agg(status, n) AS s FROM (SELECT status, count(*)::int AS n FROM procrastinate_jobs GROUP BY status) AS c`)
    // A run ends when its task returned, or when its process exited.
    const exitedAt = JSON.stringify(Object.fromEntries([...exits].map(([pid, at]) => [pid, new Date(at).toISOString()])))
    const runEnd = `coalesce(run.ended_at, ($1::jsonb->>run.pid::text)::timestamptz, 'infinity')`
    const [early] = await sql(
      `SELECT count(*)::int AS n FROM procrastinate_job_dependencies AS edge
       JOIN chaos_runs AS run ON run.job_id = edge.job_id
       WHERE run.started_at < (SELECT max(at) FROM procrastinate_events AS e
                               WHERE e.job_id = edge.depends_on_job_id AND e.type IN ('succeeded', 'failed', 'cancelled', 'aborted'))`,
    )
    check(early.n, 'runs started before all their parents ended')
    const overlap = (peers: string, what: string) =>
      sql(
        `SELECT count(*)::int AS n,
                (array_agg(format('job %s (pid %s, %s to %s) and job %s (pid %s, from %s)', run.job_id, run.pid,
                   run.started_at::time, ${runEnd}, other.job_id, other.pid, other.started_at::time)))[1:3] AS examples
         FROM chaos_runs AS run ${peers}
         WHERE other.id > run.id AND other.started_at < ${runEnd}`,
        [exitedAt],
      ).then(([row]) => check(row.n, `${what}${row.n ? `, as ${row.examples.join('; ')}` : ''}`))
    await overlap('JOIN chaos_runs AS other ON other.job_id = run.job_id', 'runs of a job while another run of it was going on')
    await overlap(
      `JOIN procrastinate_jobs AS job ON job.id = run.job_id AND job.lock IS NOT NULL
       JOIN procrastinate_jobs AS peer ON peer.lock = job.lock
       JOIN chaos_runs AS other ON other.job_id = peer.id`,
      'runs that overlapped a run of their lock group',
    )
    const [backwards] = await sql(
      `SELECT count(*)::int AS n FROM procrastinate_job_dependencies AS edge
       JOIN procrastinate_events AS child ON child.job_id = edge.job_id AND child.type = 'started'
       JOIN procrastinate_events AS parent ON parent.job_id = edge.depends_on_job_id
            AND parent.type IN ('succeeded', 'failed', 'cancelled', 'aborted')
       WHERE child.at < parent.at`,
    )
    check(backwards.n, "events out of time order (a child's start before its parent's end)")
    const [deadlocksAfter] = await sql(`SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()`)
    const deadlocks = deadlocksAfter.n - deadlocksBefore.n
    check(deadlocks, 'deadlocks (pg_stat_database)')
    const [miscounted] = await sql(
      `SELECT count(*)::int AS n FROM procrastinate_jobs AS job WHERE job.unfinished_parents <> (
         SELECT count(*) FROM procrastinate_job_dependencies AS edge JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
         WHERE edge.job_id = job.id AND NOT manana_is_terminal(parent.status))`,
    )
    check(miscounted.n, 'jobs whose count of unfinished parents is wrong')

    // Outcomes after a crash: attempts counted against runs recorded.
    const [outcomes] = await sql(
      `SELECT count(*) FILTER (WHERE message LIKE '%connection closed%')::int AS by_connection,
              count(*) FILTER (WHERE message LIKE '%stopped sending heartbeats%' OR message LIKE '%removed as stalled%')::int AS by_heartbeat,
              count(*) FILTER (WHERE message LIKE '%after claiming this job ahead%')::int AS claimed_ahead
       FROM manana_job_errors`,
    )
    const [counting] = await sql(
      `SELECT count(*) FILTER (WHERE job.attempts > runs.n)::int AS counted_without_run,
              count(*) FILTER (WHERE job.attempts < runs.n)::int AS ran_without_count
       FROM procrastinate_jobs AS job
       CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM chaos_runs WHERE chaos_runs.job_id = job.id) AS runs`,
    )
    // A job that ran more often than its attempts say ran twice as one attempt.
    check(counting.ran_without_count, 'jobs that ran more often than their attempts say')
    const [claimToStart] = await sql(
      `SELECT array_agg(extract(epoch FROM run.started_at - claim.at) * 1000) AS ms FROM chaos_runs AS run
       CROSS JOIN LATERAL (SELECT max(at) AS at FROM procrastinate_events AS e
                           WHERE e.job_id = run.job_id AND e.type = 'started' AND e.at <= run.started_at) AS claim`,
    )

    const recoveries = kills.filter((kill) => kill.recoveredAt !== undefined).map((kill) => kill.recoveredAt! - kill.at)
    const unrecovered = kills.filter((kill) => kill.held.length && kill.recoveredAt === undefined).length
    check(unrecovered, "killed workers' jobs never recovered")
    const claims: number[] = claimToStart.ms ?? []
    console.log(`
seed ${seed}: ${elapsed < 15 * 60_000 ? 'finished' : 'gave up'} in ${seconds(elapsed)}; statuses ${JSON.stringify(statuses.s)}
  chaos: ${calm ? 'none (--calm)' : `${kills.length} SIGKILLs, 1 SIGTERM, 1 PostgreSQL restart`}
  recovery of a killed worker's jobs: ${recoveries.length ? `p50 ${seconds(percentile(recoveries, 50))}, max ${seconds(Math.max(...recoveries))} (${recoveries.length} kills of workers holding jobs)` : 'no kills of workers holding jobs'}
  recovered attempts: ${outcomes.by_connection} by a closed connection, ${outcomes.by_heartbeat} by heartbeat; ${outcomes.claimed_ahead} of them claimed ahead, their start not recorded
  attempts vs runs: ${counting.counted_without_run} jobs counted an attempt of which no run was written down (their worker was lost between the claim and the task's first record), ${counting.ran_without_count} ran more often than counted
  claim → start: p50 ${percentile(claims, 50).toFixed(1)} ms, p99 ${percentile(claims, 99).toFixed(1)} ms, max ${Math.max(...claims, 0).toFixed(0)} ms
  deadlocks: ${deadlocks}
${violations.length ? `VIOLATIONS:\n${violations.map((v) => `  - ${v}`).join('\n')}` : 'every rule held'}`)
    if (violations.length) {
      fs.writeFileSync(`chaos-seed-${seed}.log`, logs)
      console.log(`the workers' output: chaos-seed-${seed}.log`)
    }
    return violations.length ? 1 : 0
  } finally {
    for (const worker of workers) stop(worker, 'SIGKILL')
    await pool.end()
    await server.close()
  }
}

process.exitCode = await main()
