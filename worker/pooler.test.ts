// Workers behind a real PgBouncer in transaction mode, where LISTEN and session locks land on
// shared server backends: without a direct URL a worker says so (log, /ready) and takes no
// liveness lock it could leave behind; with one, it hears notifications at once and a killed
// worker's jobs come back by its closed session, as without a pooler.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { hasPgbouncer, startPgbouncer, type Pgbouncer } from '../test/pgbouncer.ts'
import { manana, type Spawned } from '../test/processes.ts'
import { until } from '../test/until.ts'
import { createApp } from '../lib/queue/app.ts'
import type { LogRecord } from '../lib/observe/log.ts'
import { Worker, type WorkerOptions } from './worker.ts'

const t = useTestDatabase()
let bouncer: Pgbouncer
const cleanups: Array<() => Promise<void>> = []

// A machine without PgBouncer skips these, saying so (CI installs it).
describe.skipIf(!hasPgbouncer)('behind PgBouncer in transaction mode', () => {
  beforeAll(async () => {
    delete process.env.MANANA_DIRECT_URL
    bouncer = await startPgbouncer(t.url, 'transaction')
  })
  afterAll(async () => bouncer?.stop())
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
  })

  function startWorker(directUrl: string | undefined, options: WorkerOptions = {}) {
    const app = createApp({ databaseUrl: bouncer.url, directUrl })
    app.task('step', {}, async () => 'ran')
    const records: LogRecord[] = []
    const worker = new Worker(app, { healthPort: 0, heartbeatInterval: 0.2, logger: (record) => records.push(record), ...options })
    const running = worker.run()
    cleanups.push(async () => {
      worker.stop()
      await running
      await app.close()
    })
    return { app, worker, records }
  }

  const ready = async (worker: Worker) => {
    const port = worker.servedPorts().health
    if (port === undefined) return undefined
    const response = await fetch(`http://127.0.0.1:${port}/ready`)
    return { status: response.status, body: (await response.json()) as { ready: boolean; problems: string[] } }
  }
  const workerLocks = async () =>
    (await t.sql(`SELECT count(*)::int AS n FROM manana_held_worker_locks()`))[0]!.n // this database's only: other test files' workers hold theirs

  it('without a direct URL: warns once, /ready names the pooler, no liveness lock is taken, and jobs still run by polling', async () => {
    const { app, worker, records } = startWorker(undefined, { pollInterval: 0.5 })
    const notReady = await until(async () => {
      const answer = await ready(worker)
      return answer?.status === 503 && answer.body.problems.some((problem) => /pooler in transaction mode/.test(problem)) && answer
    }, '/ready to name the pooler')
    expect(notReady.body.problems.join(' ')).toMatch(/MANANA_DIRECT_URL/)
    expect(records.filter((record) => record.event === 'worker.listener.notifications_lost')).toHaveLength(1)
    expect(await workerLocks()).toBe(0)
    const [id] = await app.defer([{ task: 'step' }])
    await until(async () => (await t.sql(`SELECT status FROM procrastinate_jobs WHERE id = $1`, [id]))[0]!.status === 'succeeded', 'the job to run')
  })

  it('with a direct URL: ready, notified at once (no polls), its liveness lock on its direct session', async () => {
    const { app, worker } = startWorker(t.url, { pollInterval: 3600 })
    await until(async () => (await ready(worker))?.status === 200, 'ready')
    // The lock is taken once the listening session has heard its own probe: a moment after it is ready.
    const lock = await until(async () => {
      const [held] = await t.sql(
        `SELECT activity.application_name FROM pg_locks AS lock JOIN pg_stat_activity AS activity ON activity.pid = lock.pid
         WHERE lock.locktype = 'advisory' AND lock.classid = manana_worker_lock_class()::oid AND lock.objid = $1::oid AND lock.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [worker.id],
      )
      return held
    }, 'its liveness lock')
    expect(lock).toEqual({ application_name: expect.stringMatching(/^manana-worker /) })
    // Deferred through the pooler; a poll would come in an hour.
    const [id] = await app.defer([{ task: 'step' }])
    await until(async () => (await t.sql(`SELECT status FROM procrastinate_jobs WHERE id = $1`, [id]))[0]!.status === 'succeeded', 'the notified job to run')
  })

  it("with a direct URL, a SIGKILLed worker's job comes back by its closed session, not a heartbeat timeout", async () => {
    const spawned: Spawned[] = []
    cleanups.push(async () => {
      for (const worker of spawned) {
        worker.child.kill('SIGKILL')
        await worker.exited
      }
    })
    const env = { MANANA_DIRECT_URL: t.url, MANANA_HEARTBEAT_INTERVAL: '0.5', MANANA_STALE_AFTER: '3600' }
    const start = (name: string) => {
      const worker = manana(bouncer.url, ['worker', '--app', 'test/apps/dag-app.ts', '--name', name, '--poll-interval', '1'], env)
      spawned.push(worker)
      return worker
    }
    const victim = start('victim')
    await until(async () => (await workerLocks()) === 1, 'the victim to hold its lock').catch((error) => {
      throw new Error(`${error.message}\n${victim.output()}`)
    })
    const app = createApp({ databaseUrl: bouncer.url })
    cleanups.push(() => app.close())
    const [id] = await app.defer([{ task: 'node', args: { ms: 60_000 } }])
    await until(async () => (await t.sql(`SELECT status FROM procrastinate_jobs WHERE id = $1`, [id]))[0]!.status === 'doing', 'the job to start')
    const survivor = start('survivor')
    await until(async () => (await workerLocks()) === 2, 'the survivor to hold its lock').catch((error) => {
      throw new Error(`${error.message}\n${survivor.output()}`)
    })
    // Judged by its lock only once a live worker's lock is as old as the victim's last sighting of its own.
    await until(
      async () => (await t.sql(`SELECT bool_or(lock_seen_at >= (SELECT lock_since FROM procrastinate_workers WHERE name = 'survivor')) AS seen FROM procrastinate_workers WHERE name = 'victim'`))[0]!.seen,
      'a beat of the victim after the survivor took its lock',
    )
    victim.child.kill('SIGKILL')
    await victim.exited
    await until(async () => (await t.sql(`SELECT message FROM manana_job_errors WHERE job_id = $1`, [id]))[0], 'the job recovered').catch((error) => {
      throw new Error(`${error.message}\n${survivor.output()}`)
    })
    const [error] = await t.sql(`SELECT message FROM manana_job_errors WHERE job_id = $1`, [id])
    expect(error!.message).toMatch(/"victim" .* was lost: its database connection closed/)
    expect(survivor.output()).toMatch(/recovered: worker \d+ "victim"/)
  }, 60_000)
})
