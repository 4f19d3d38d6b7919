// The worker in this process, against a real database: outcomes, retries, timeouts, aborts,
// shutdown, recovery of a gone worker's jobs (and never a live one's), periodic tasks.
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { startTcpProxy } from '../test/tcp-proxy.ts'
import { eventsOf } from '../test/jobs.ts'
import { createClient, createPool } from '../lib/db/pool.ts'
import { createApp, type App } from '../lib/queue/app.ts'
import { Worker, type WorkerOptions } from './worker.ts'

const t = useTestDatabase()
const lines: string[] = []
const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  // Last started, first stopped: a worker stops before the proxy its connections go through
  // closes (closed first, it left the server running the worker's last statements beside the
  // next test's TRUNCATE: a deadlock).
  for (const stop of stops.splice(0).reverse()) await stop()
  lines.length = 0
})

/** Starts a worker on its own app (pool), as a separate process would. */
function startWorker(app: App, options: WorkerOptions = {}) {
  const worker = new Worker(app, { pollInterval: 0.2, heartbeatInterval: 0.2, log: (line) => lines.push(line), ...options })
  const running = worker.run()
  stops.push(async () => {
    worker.stop()
    await running
    await app.close()
  })
  return { worker, running }
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, seconds = 10): Promise<T> {
  const deadline = Date.now() + seconds * 1000
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${lines.join('\n')}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const jobRow = async (id: number) =>
  (await t.sql('SELECT status, attempts, result, scheduled_at FROM procrastinate_jobs WHERE id = $1', [id]))[0]!
const statusIs = (id: number, status: string) => async () => (await jobRow(id)).status === status

describe('worker', () => {
  it("with once, runs every chain to its end: a fetch that began before a parent's end was written does not end the run", async () => {
    const app = createApp({ databaseUrl: t.url })
    // Logging makes the end wait for the log's write: a job is not done until its end is written.
    app.task('link', {}, async (_args, ctx) => ctx.log('linked'))
    // As `manana worker --once` runs: default concurrency and claiming ahead, quick tasks, so the
    // fetch loop's fetches race the calls that record ends. Each run must finish its chain.
    for (let run = 0; run < 20; run++) {
      await app.deferWorkflow({ a: { task: 'link' }, b: { task: 'link', dependsOn: ['a'] }, c: { task: 'link', dependsOn: ['b'] } })
      const worker = new Worker(app, { once: true, pollInterval: 5, log: () => {} })
      await worker.run()
      const left = await t.sql(`SELECT id FROM procrastinate_jobs WHERE status <> 'succeeded'`)
      expect({ run, left }).toEqual({ run, left: [] })
    }
    await app.close()
  })

  it("claims each link of a chain in the call that records its parent's end: a hop is one round trip", async () => {
    // Which calls claimed jobs: the fetch loop's (manana_fetch_jobs) or the ends' (…_and_fetch).
    const pool = createPool(t.url)
    const claims = { byFetch: 0, byEnd: 0 }
    const query = pool.query.bind(pool) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>
    pool.query = (async (text: string, values?: unknown[]) => {
      const result = await query(text, values)
      if (text.includes('FROM manana_fetch_jobs(')) claims.byFetch += result.rowCount ?? 0
      if (text.includes('FROM manana_end_attempts_and_fetch(')) claims.byEnd += result.rows.filter((row) => row.job).length
      return result
    }) as typeof pool.query
    const app = createApp({ pool })
    // Instant tasks: the end is recorded before any fetch. Tasks of 1 ms: a fetch woken by the
    // link's own readiness is still on the wire when the link ends (that end claims anyway).
    let taskMs = 0
    app.task('link', {}, async () => new Promise((resolve) => setTimeout(resolve, taskMs)))
    const links = 40
    for (taskMs of [0, 1]) {
      await app.deferWorkflow(Object.fromEntries(Array.from({ length: links }, (_, i) => [`n${i}`, { task: 'link', dependsOn: i ? [`n${i - 1}`] : [] }])))
      await new Worker(app, { once: true, log: () => {} }).run()
    }
    expect(await t.sql(`SELECT count(*)::int AS n FROM procrastinate_jobs WHERE status = 'succeeded'`)).toEqual([{ n: 2 * links }])
    expect(claims).toEqual({ byFetch: 2, byEnd: 2 * (links - 1) })
    await pool.end()
  })

  it('runs a workflow in dependency order; a child reads its parents', async () => {
    const app = createApp({ databaseUrl: t.url })
    const seen: unknown[] = []
    app.task('produce', {}, async ({ n }: { n: number }) => ({ n }))
    app.task('fail', {}, async () => {
      throw new Error('no luck')
    })
    app.task('consume', {}, async (_args, ctx) => {
      seen.push(await ctx.getParentStatuses(), await ctx.getParentResults(), ctx.attempt)
      return 'done'
    })
    const ids = await app.deferWorkflow({
      a: { task: 'produce', args: { n: 1 } },
      b: { task: 'fail' },
      c: { task: 'consume', dependsOn: ['a', 'b'] },
    })
    startWorker(app, { concurrency: 3 })
    await until(statusIs(ids.c, 'succeeded'), 'the child')
    expect(seen).toEqual([{ [ids.a]: 'succeeded', [ids.b]: 'failed' }, { [ids.a]: { n: 1 }, [ids.b]: null }, 1])
    expect((await jobRow(ids.c)).result).toBe('done')
    const [error] = await t.sql('SELECT attempt, message, stack FROM manana_job_errors WHERE job_id = $1', [ids.b])
    expect(error).toMatchObject({ attempt: 1, message: 'no luck', stack: expect.stringContaining('worker.test.ts') })
    expect(lines.some((line) => /job \d+ fail failed \(no luck\) in \d+ ms/.test(line))).toBe(true)
    expect(lines.some((line) => /job \d+ consume succeeded in \d+ ms/.test(line))).toBe(true)
  })

  it('retries by the task strategy, keeping each attempt\'s error, then fails', async () => {
    const app = createApp({ databaseUrl: t.url })
    let calls = 0
    app.task('flaky', { retry: { maxAttempts: 2, wait: 0 } }, async () => {
      calls++
      throw new Error(`attempt ${calls}`)
    })
    const [id] = await app.defer([{ task: 'flaky' }])
    startWorker(app)
    await until(statusIs(id!, 'failed'), 'the job to fail')
    expect(calls).toBe(3)
    expect((await jobRow(id!)).attempts).toBe(3)
    const errors = await t.sql('SELECT attempt, message FROM manana_job_errors WHERE job_id = $1 ORDER BY attempt', [id])
    expect(errors).toEqual([
      { attempt: 1, message: 'attempt 1' },
      { attempt: 2, message: 'attempt 2' },
      { attempt: 3, message: 'attempt 3' },
    ])
    expect(await eventsOf(t, id!)).toEqual([
      'deferred', 'started', 'scheduled', 'deferred_for_retry', 'started', 'scheduled', 'deferred_for_retry', 'started', 'failed',
    ])
  })

  it('schedules a retry after the strategy\'s wait', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('slow_retry', { retry: { wait: 60, linearWait: 30 } }, async () => {
      throw new Error('later')
    })
    const [id] = await app.defer([{ task: 'slow_retry' }])
    startWorker(app)
    await until(async () => (await jobRow(id!)).attempts === 1, 'the first attempt')
    const delay = (await jobRow(id!)).scheduled_at.getTime() - Date.now()
    expect(delay).toBeGreaterThan(55_000)
    expect(delay).toBeLessThanOrEqual(60_000)
  })

  it('fails an attempt that outlives the task timeout', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('sleepy', { timeout: 0.2 }, (_args, { signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)))
    const [id] = await app.defer([{ task: 'sleepy' }])
    startWorker(app)
    await until(statusIs(id!, 'failed'), 'the timeout')
    const [error] = await t.sql('SELECT message FROM manana_job_errors WHERE job_id = $1', [id])
    expect(error!.message).toBe('timed out after 0.2 s')
  })

  it('aborts a running job when an operator asks, by notification', async () => {
    const app = createApp({ databaseUrl: t.url })
    let started = false
    let signalled = false
    app.task('long', {}, (_args, { signal }) =>
      new Promise((_, reject) => {
        started = true
        signal.addEventListener('abort', () => {
          signalled = true
          reject(signal.reason)
        })
      }),
    )
    const [id] = await app.defer([{ task: 'long' }])
    startWorker(app, { heartbeatInterval: 60 }) // only the notification can tell it
    await until(async () => started, 'the start') // its task runs: the worker holds it
    await app.jobs.abort(id!)
    await until(statusIs(id!, 'aborted'), 'the abort')
    expect(signalled).toBe(true)
    expect(await eventsOf(t, id!)).toEqual(['deferred', 'started', 'abort_requested', 'aborted'])
  })

  it('aborts a running job by polling when the notification is missed', async () => {
    const app = createApp({ databaseUrl: t.url })
    let started = false
    app.task('long', {}, () => new Promise(() => void (started = true))) // ignores its signal: the attempt still ends
    const [id] = await app.defer([{ task: 'long' }])
    startWorker(app)
    await until(async () => started, 'the start')
    await t.sql('UPDATE procrastinate_jobs SET abort_requested = true WHERE id = $1', [id]) // no NOTIFY
    await until(statusIs(id!, 'aborted'), 'the abort')
  })

  it('on shutdown, lets running jobs finish within the grace period, then puts the rest back', async () => {
    const app = createApp({ databaseUrl: t.url })
    // Started: their tasks run (a job is doing from its claim, before the worker hears of it).
    const started = new Set<string>()
    app.task('quick', {}, async () => new Promise((resolve) => (started.add('quick'), setTimeout(() => resolve('ok'), 100))))
    app.task('endless', {}, (_args, { signal }) => new Promise((_, reject) => (started.add('endless'), signal.addEventListener('abort', () => reject(signal.reason)))))
    const [quick, endless] = await app.defer([{ task: 'quick' }, { task: 'endless' }])
    const { worker, running } = startWorker(app, { shutdownGrace: 0.5 })
    await until(async () => started.size === 2, 'both started')
    worker.stop()
    await running
    expect((await jobRow(quick!)).status).toBe('succeeded')
    expect(await jobRow(endless!)).toMatchObject({ status: 'todo', attempts: 0 })
    expect(await t.sql('SELECT * FROM procrastinate_workers')).toEqual([])
  })

  it('beats while it shuts down: a job running through the grace period is never taken from it', async () => {
    const app = createApp({ databaseUrl: t.url })
    let started = false
    app.task('long', {}, async () => new Promise((resolve) => ((started = true), setTimeout(() => resolve('done'), 4000))))
    const [id] = await app.defer([{ task: 'long' }])
    // A job longer than the stale-after rule, and a worker watching for stalled ones.
    const { worker, running } = startWorker(app, { staleAfter: 3, shutdownGrace: 10 })
    startWorker(createApp({ databaseUrl: t.url }), { queues: ['elsewhere'], staleAfter: 3, name: 'recoverer' })
    // Its task runs (the job is doing from its claim, before the worker hears of it: stopped
    // then, the worker puts it back unstarted).
    await until(async () => started, 'the job to start')
    worker.stop()
    await running
    expect(await jobRow(id!)).toMatchObject({ status: 'succeeded', attempts: 1 })
    expect(lines.join('\n')).not.toMatch(/recovered|no longer this worker's/)
  })

  it('stops when an operator asks, through the database: finishes its running job, then exits; says its version', async () => {
    const app = createApp({ databaseUrl: t.url })
    let started = false
    app.task('long', {}, async () => new Promise((resolve) => ((started = true), setTimeout(() => resolve('done'), 1500))))
    const [id] = await app.defer([{ task: 'long' }])
    const { running } = startWorker(app, { shutdownGrace: 30 })
    await until(async () => started, 'the job to start')
    const [registered] = await t.sql<{ id: string; version: string }>('SELECT id, version FROM procrastinate_workers')
    expect(registered!.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(await t.sql('SELECT manana_request_worker_stop($1, $2) AS asked', [registered!.id, 'alice'])).toEqual([{ asked: true }])
    expect(await t.sql('SELECT manana_request_worker_stop($1, $2) AS asked', [registered!.id, 'bob'])).toEqual([{ asked: false }])
    await running // it stops by itself
    expect(await jobRow(id!)).toMatchObject({ status: 'succeeded', attempts: 1 })
    expect(lines.join('\n')).toContain('asked to stop by alice: finishing its running jobs, then stopping')
    expect(await t.sql('SELECT id FROM procrastinate_workers')).toEqual([]) // unregistered on its way out
    await expect(t.sql('SELECT manana_request_worker_stop($1, $2)', [registered!.id, 'alice'])).rejects.toMatchObject({ code: 'worker_not_found' })
  })

  it('sizes its pool by its concurrency (or poolSize) and names every connection it opens', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('busy', {}, async (_args, ctx) => {
      await ctx.getParentStatuses() // a query of the task's own, on the worker's pool
      await new Promise((resolve) => setTimeout(resolve, 200))
    })
    // Deferred elsewhere: a pool the app opened before the worker ran is used as it is.
    const deferring = createApp({ databaseUrl: t.url })
    await deferring.defer(Array.from({ length: 8 }, () => ({ task: 'busy' })))
    await deferring.close()
    const { worker } = startWorker(app, { concurrency: 2, name: 'sized' })
    expect((await app.pool()).options.max).toBe(3)
    let most = 0
    await until(async () => {
      const [row] = await t.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'manana-worker sized'`)
      most = Math.max(most, row!.n)
      return (await t.sql(`SELECT id FROM procrastinate_jobs WHERE status <> 'succeeded'`)).length === 0
    }, 'the jobs to run')
    expect(most).toBeGreaterThanOrEqual(2) // its pool, and its listening session
    expect(most).toBeLessThanOrEqual(4)
    expect(worker.id).toBeDefined()
    const other = createApp({ databaseUrl: t.url })
    startWorker(other, { concurrency: 50, poolSize: 4 })
    expect((await other.pool()).options.max).toBe(4)
  })

  it('stops its jobs when cut off from the database before another worker may take them: no job runs in two places at once', async () => {
    const proxy = await startTcpProxy(t.url)
    stops.push(() => proxy.close())
    const runs: Array<{ worker: string; attempt: number; from: number; to?: number }> = []
    const defineTask = (app: App, worker: string) =>
      app.task('partitioned', { retry: 1 }, async (_args, { attempt, signal }) => {
        const run = { worker, attempt, from: Date.now() } as (typeof runs)[number]
        runs.push(run)
        try {
          // The first attempt would run for a minute; the second is quick.
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, attempt === 1 ? 60_000 : 10)
            signal.addEventListener('abort', () => {
              clearTimeout(timer)
              reject(signal.reason)
            })
          })
        } finally {
          run.to = Date.now()
        }
      })
    const cutOff = createApp({ databaseUrl: proxy.url, directUrl: proxy.url })
    defineTask(cutOff, 'cut off')
    const [id] = await cutOff.defer([{ task: 'partitioned' }])
    const cutOffWorker = startWorker(cutOff, { staleAfter: 3, name: 'cut-off' })
    await until(async () => runs.length === 1, 'the first attempt to start')
    const other = createApp({ databaseUrl: t.url })
    defineTask(other, 'other')
    startWorker(other, { staleAfter: 3, name: 'other', queues: ['default'] })
    proxy.cut()
    await until(statusIs(id!, 'succeeded'), 'the job to run again elsewhere and succeed', 20)
    expect(runs.map(({ worker, attempt }) => ({ worker, attempt }))).toEqual([
      { worker: 'cut off', attempt: 1 },
      { worker: 'other', attempt: 2 },
    ])
    expect(runs[0]!.to).toBeLessThan(runs[1]!.from)
    expect(lines.join('\n')).toMatch(/no heartbeat has reached the database for \d+ s: other workers may take its jobs at 3 s, so it stops its 1 running job/)
    // Healed, it stops: it could not have while the database was out of its reach.
    proxy.heal()
    cutOffWorker.worker.stop()
    await cutOffWorker.running
  })

  it("applies the app's retention once per period, whichever of its workers asks first", async () => {
    const apps = [createApp({ databaseUrl: t.url }), createApp({ databaseUrl: t.url })]
    for (const app of apps) {
      app.task('x', {}, async () => null)
      app.retention({ olderThan: '1d', statuses: ['succeeded'], every: 1 })
    }
    expect(() => apps[0]!.retention({ olderThan: '1 day' })).toThrow(/7d, 12h, 30m or 45s/)
    const [old, failed] = await apps[0]!.defer([{ task: 'x' }, { task: 'nobody_has_it' }])
    await t.sql(`SELECT manana_finish_job($1, 'failed', NULL, false)`, [failed])
    startWorker(apps[0]!, { name: 'a' })
    await until(statusIs(old!, 'succeeded'), 'the job to run')
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '2 days'`)
    startWorker(apps[1]!, { name: 'b' })
    await until(async () => (await t.sql('SELECT id FROM procrastinate_jobs WHERE id = $1', [old])).length === 0, 'the old job deleted')
    await new Promise((resolve) => setTimeout(resolve, 3000))
    // Once a second in all (each worker asks once a second): never two runs within the period.
    const runs = lines.filter((line) => line.includes('retention: deleted')).map((line) => Date.parse(line.slice(0, 24)))
    expect(runs.length).toBeGreaterThanOrEqual(2)
    expect(runs.length).toBeLessThanOrEqual(5) // both workers at their own pace: 7 or more
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeGreaterThan(500)
    expect(await t.sql('SELECT status FROM procrastinate_jobs')).toEqual([{ status: 'failed' }]) // not its statuses
  })

  it('runs a retried job at once: the retry wakes it, not its poll', async () => {
    const app = createApp({ databaseUrl: t.url })
    let runs = 0
    app.task('fails_once', {}, async () => {
      if (++runs === 1) throw new Error('first time')
    })
    const [id] = await app.defer([{ task: 'fails_once' }])
    startWorker(app, { pollInterval: 60 }) // a poll would come after the test's time is up
    await until(statusIs(id!, 'failed'), 'the first attempt to fail')
    await app.jobs.retry(id!)
    await until(statusIs(id!, 'succeeded'), 'the retried job to run')
  })

  it("claims only jobs of its own tasks: another's (a Python worker's) waits on the same queue, saying why", async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('mine', {}, async () => 'ran')
    const [theirs, mine] = await app.defer([{ task: 'pyapp.summarize' }, { task: 'mine' }])
    const { worker } = startWorker(app)
    await until(statusIs(mine!, 'succeeded'), 'its own job')
    await until(async () => worker.id !== undefined && (await t.sql('SELECT last_heartbeat FROM procrastinate_workers')).length > 0, 'registered')
    expect(await jobRow(theirs!)).toMatchObject({ status: 'todo', attempts: 0 })
    const [explained] = await t.sql('SELECT manana_explain_job($1) AS explanation', [theirs])
    expect(explained!.explanation.reasons).toEqual([{ kind: 'no_worker_with_task', queue: 'default', task: 'pyapp.summarize' }])
    // A worker of any task (Python's registers no names) takes it.
    const [python] = await t.sql(`SELECT worker_id FROM procrastinate_register_worker_v1()`)
    expect(await t.sql('SELECT id FROM manana_fetch_jobs(NULL, $1, 5)', [python!.worker_id])).toEqual([{ id: String(theirs) }])
  })

  it('recovers the jobs of a worker that stopped beating, by its task\'s retry strategy', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('resilient', { retry: 1 }, async () => 'second time lucky')
    app.task('fragile', {}, async () => 'never runs again')
    const [resilient, fragile] = await app.defer([{ task: 'resilient' }, { task: 'fragile' }])
    // A worker that took both jobs, then died: its last heartbeat is long gone.
    const [dead] = await t.sql(`SELECT worker_id FROM procrastinate_register_worker_v1()`)
    await t.sql('SELECT id FROM manana_fetch_jobs(NULL, $1, 2)', [dead!.worker_id])
    await t.sql(`UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'`)
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '1 hour' WHERE type = 'started'`)
    startWorker(app, { staleAfter: 5 })
    await until(statusIs(resilient!, 'succeeded'), 'the recovered job to run again')
    await until(statusIs(fragile!, 'failed'), 'the recovered job without retries to fail')
    const [error] = await t.sql('SELECT message FROM manana_job_errors WHERE job_id = $1', [fragile])
    expect(error!.message).toMatch(/stopped sending heartbeats/)
    expect(await t.sql('SELECT id FROM procrastinate_workers WHERE id = $1', [dead!.worker_id])).toEqual([])
  })

  /** Registers a worker as manana_register_worker does, its liveness lock held by a session of its own. */
  async function workerWithLock(name: string, heartbeatInterval: number, tasks: string[] = []) {
    const announced = JSON.stringify(tasks.map((task) => ({ name: task, queue_name: 'default' })))
    const [row] = await t.sql(`SELECT manana_register_worker($1, 'box', 4242, NULL, 1, $2, $3) AS id`, [name, announced, heartbeatInterval])
    const session = createClient({ connectionString: t.url })
    await session.connect()
    expect((await session.query('SELECT manana_hold_worker_lock($1) AS held', [row!.id])).rows).toEqual([{ held: true }])
    return { id: Number(row!.id), session }
  }

  it('recovers a lost worker\'s jobs by its closed connection: a started one fails as not known to have finished, one claimed ahead as not known to have started (an attempt counted: never twice as attempt 1)', async () => {
    const app = createApp({ databaseUrl: t.url })
    const witness = await workerWithLock('witness', 60)
    const lost = await workerWithLock('lost', 0.2, ['unknown_here'])
    const [started, ahead] = await app.defer([{ task: 'unknown_here' }, { task: 'unknown_here' }])
    // It claimed two jobs, the first to start at once, the second ahead; then its process died.
    await t.sql('SELECT id FROM manana_fetch_jobs(NULL, $1, 2, 1)', [lost.id])
    await lost.session.end()
    startWorker(app, { queues: ['elsewhere'], staleAfter: 3600 }) // no heartbeat timeout can be the cause
    await until(statusIs(started!, 'failed'), 'the started job to fail')
    const [error] = await t.sql('SELECT message FROM manana_job_errors WHERE job_id = $1', [started])
    expect(error!.message).toBe(
      `worker ${lost.id} "lost" (pid 4242 on box) was lost: its database connection closed (the process exited or was killed) while this attempt ran; whether the task finished is not known`,
    )
    // Its task allows no retry: it may have begun in the moment before its worker died, so it fails.
    await until(statusIs(ahead!, 'failed'), 'the job claimed ahead to fail')
    expect(await jobRow(ahead!)).toMatchObject({ attempts: 1 })
    const [aheadError] = await t.sql('SELECT message FROM manana_job_errors WHERE job_id = $1', [ahead])
    expect(aheadError!.message).toBe(
      `worker ${lost.id} "lost" (pid 4242 on box) was lost: its database connection closed (the process exited or was killed) after claiming this job ahead of a free slot; whether its task started is not known`,
    )
    expect(await t.sql('SELECT name FROM procrastinate_workers WHERE id = ANY ($1)', [[lost.id, witness.id]])).toEqual([{ name: 'witness' }])
    await witness.session.end()
  })

  it('keeps the jobs of a worker whose listening connection was cut: it takes its lock again and its heartbeat never stopped', async () => {
    const app = createApp({ databaseUrl: t.url })
    let release!: () => void
    app.task('hold', {}, () => new Promise<void>((resolve) => (release = resolve)))
    const [held] = await app.defer([{ task: 'hold' }])
    const { worker } = startWorker(app, { staleAfter: 3600, shutdownGrace: 0.1 })
    startWorker(createApp({ databaseUrl: t.url }), { queues: ['elsewhere'], staleAfter: 3600, name: 'recoverer' })
    await until(statusIs(held!, 'doing'), 'the job to start')
    const lockSession = async () =>
      (await t.sql(`SELECT lock.pid, w.lock_since FROM pg_locks AS lock JOIN procrastinate_workers AS w ON lock.objid = w.id::oid
                    WHERE lock.locktype = 'advisory' AND lock.classid = manana_worker_lock_class()::oid AND w.id = $1
                      AND lock.database = (SELECT oid FROM pg_database WHERE datname = current_database())`, [worker.id]))[0]
    // The session takes the lock, then writes since when: wait for both (either may be seen alone).
    const before = await until(async () => {
      const held = await lockSession()
      return held?.lock_since && held
    }, 'the liveness lock')
    await t.sql('SELECT pg_terminate_backend($1)', [before.pid])
    await until(async () => {
      const now = await lockSession()
      return now?.lock_since && now.pid !== before.pid && now.lock_since.getTime() > before.lock_since.getTime()
    }, 'the lock taken again')
    await new Promise((resolve) => setTimeout(resolve, 1500)) // well over three of its beats
    expect(await t.sql('SELECT status, worker_id FROM procrastinate_jobs WHERE id = $1', [held])).toEqual([{ status: 'doing', worker_id: String(worker.id) }])
    expect(lines.join('\n')).toMatch(/listening again/)
    release()
    await until(statusIs(held!, 'succeeded'), 'the job to end on its own worker')
  })

  it('keeps the jobs of a worker whose listening session is down for seconds: it beats while its lock is lost', async () => {
    // Its session goes through a proxy that drops it and refuses it for 3 s; its pool does not.
    const proxy = await startTcpProxy(t.url)
    stops.push(() => proxy.close())
    const app = createApp({ databaseUrl: t.url, directUrl: proxy.url })
    let release!: () => void
    app.task('hold', {}, () => new Promise<void>((resolve) => (release = resolve)))
    const [held] = await app.defer([{ task: 'hold' }])
    // Beating once a second, the default: its lock's grace is 0.4 s.
    const { worker } = startWorker(app, { heartbeatInterval: 1, staleAfter: 3600, shutdownGrace: 0.1 })
    startWorker(createApp({ databaseUrl: t.url }), { queues: ['elsewhere'], staleAfter: 3600, name: 'recoverer' })
    await until(statusIs(held!, 'doing'), 'the job to start')
    // The recoverer's lock is a witness once the worker's lock was seen after it was taken.
    await until(async () => (await t.sql(`SELECT bool_or(lock_seen_at >= (SELECT lock_since FROM procrastinate_workers WHERE name = 'recoverer')) AS seen FROM procrastinate_workers WHERE id = $1`, [worker.id]))[0]!.seen, 'a witness')
    proxy.drop()
    await until(async () => (await t.sql(`SELECT lock_missing_since FROM procrastinate_workers WHERE id = $1`, [worker.id]))[0]?.lock_missing_since, 'the lock seen missing')
    await new Promise((resolve) => setTimeout(resolve, 3000)) // six times its grace
    expect(await t.sql('SELECT status, worker_id FROM procrastinate_jobs WHERE id = $1', [held])).toEqual([{ status: 'doing', worker_id: String(worker.id) }])
    proxy.heal()
    await until(async () => (await t.sql(`SELECT lock_missing_since FROM procrastinate_workers WHERE id = $1`, [worker.id]))[0]?.lock_missing_since === null, 'the lock held again')
    release()
    await until(statusIs(held!, 'succeeded'), 'the job to end on its own worker')
    expect(lines.join('\n')).not.toMatch(/recovered/)
  })

  it('keeps the jobs of a worker whose first session ends after taking its lock but before it heard so: it beats as when a lock it knew of is lost', async () => {
    // Its session goes through a proxy that forwards its lock's statement (the server takes the
    // lock and writes so), then drops the session in place of the answer and refuses it for 2 s.
    const proxy = await startTcpProxy(t.url)
    stops.push(() => proxy.close())
    const answerLost = proxy.dropAnswerTo('manana_hold_worker_lock')
    const app = createApp({ databaseUrl: t.url, directUrl: proxy.url })
    let release!: () => void
    app.task('hold', {}, () => new Promise<void>((resolve) => (release = resolve)))
    const [held] = await app.defer([{ task: 'hold' }])
    // Beating every 5 s: only its beats while its lock is lost can keep it alive.
    const { worker } = startWorker(app, { heartbeatInterval: 5, staleAfter: 3600, shutdownGrace: 0.1 })
    startWorker(createApp({ databaseUrl: t.url }), { queues: ['elsewhere'], staleAfter: 3600, name: 'recoverer' })
    await answerLost
    await until(statusIs(held!, 'doing'), 'the job to start')
    await until(async () => (await t.sql(`SELECT lock_missing_since FROM procrastinate_workers WHERE id = $1`, [worker.id]))[0]?.lock_missing_since, 'the lock seen missing')
    await new Promise((resolve) => setTimeout(resolve, 2000)) // five times its grace
    expect(await t.sql('SELECT status, worker_id FROM procrastinate_jobs WHERE id = $1', [held])).toEqual([{ status: 'doing', worker_id: String(worker.id) }])
    proxy.heal()
    await until(async () => (await t.sql(`SELECT lock_missing_since FROM procrastinate_workers WHERE id = $1`, [worker.id]))[0]?.lock_missing_since === null, 'the lock held again')
    release()
    await until(statusIs(held!, 'succeeded'), 'the job to end on its own worker')
    expect(lines.join('\n')).not.toMatch(/recovered/)
  })

  it('judges no worker by its lock when every session ended since (a server restart), until a session older than its last beat witnesses it', async () => {
    const gone = async () => (await t.sql('SELECT worker_id::int AS id, known_by FROM manana_gone_workers(3600)'))
    const first = await workerWithLock('first', 0.1)
    const second = await workerWithLock('second', 0.1)
    await t.sql(`UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 minute'`)
    // The second's session ends while the first's lives on: the first witnesses it.
    await second.session.end()
    await until(async () => (await gone()).length > 0, 'the second judged gone')
    expect(await gone()).toEqual([{ id: second.id, known_by: 'connection' }])
    // Every session ends (as in a restart); a new worker's lock came after their last beats.
    await first.session.end()
    const third = await workerWithLock('third', 0.1)
    expect(await gone()).toEqual([])
    await third.session.end()
  })

  it('announces its tasks and itself', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('announced', { queue: 'q', retry: { maxAttempts: 3, exponentialWait: 2 }, timeout: 9, argsSchema: { type: 'object' } }, async () => null)
    const { worker } = startWorker(app, { queues: ['q'], concurrency: 4, name: 'w1' })
    await until(async () => worker.id, 'registration')
    expect(await t.sql('SELECT name, queue_name, retry, timeout_seconds, args_schema FROM manana_tasks')).toEqual([
      { name: 'announced', queue_name: 'q', retry: { maxAttempts: 3, exponentialWait: 2 }, timeout_seconds: 9, args_schema: { type: 'object' } },
    ])
    expect(await t.sql('SELECT name, queues, concurrency FROM procrastinate_workers')).toEqual([{ name: 'w1', queues: ['q'], concurrency: 4 }])
  })

  it('defers each periodic tick once with two workers', async () => {
    const runs: number[] = []
    const makeApp = () => {
      const app = createApp({ databaseUrl: t.url })
      const tick = app.task('tick', {}, async ({ timestamp }: { timestamp: number }) => {
        runs.push(timestamp)
      })
      app.periodic('* * * * * *', tick) // every second
      return app
    }
    startWorker(makeApp())
    startWorker(makeApp())
    await until(async () => runs.length >= 3 && runs, 'three ticks', 10)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(new Set(runs).size).toBe(runs.length)
    const deferred = await t.sql(`SELECT args->>'timestamp' AS ts FROM procrastinate_jobs WHERE task_name = 'tick'`)
    expect(new Set(deferred.map((row) => row.ts)).size).toBe(deferred.length)
  })
})

describe('claims whose answers were lost', () => {
  /** A worker whose pool goes through a proxy that loses the answer to the first statement holding `text`, and refuses connections for 0.3 s. */
  async function workerLosingAnswerTo(text: string) {
    const proxy = await startTcpProxy(t.url)
    stops.push(() => proxy.close())
    const app = createApp({ databaseUrl: proxy.url, directUrl: t.url })
    const ran: string[] = []
    app.task('step', {}, async (_args, { job }) => void ran.push(job.step!))
    const answerLost = proxy.dropAnswerTo(text).then(() => setTimeout(() => proxy.heal(), 300))
    return { app, ran, answerLost }
  }
  async function defer(workflow: Parameters<App['deferWorkflow']>[0]) {
    const app = createApp({ databaseUrl: t.url })
    await app.deferWorkflow(workflow)
    await app.close()
  }
  const statuses = async () => (await t.sql(`SELECT step_key, status, attempts FROM procrastinate_jobs ORDER BY id`)).map((row) => `${row.step_key} ${row.status} ${row.attempts}`)

  it("runs the jobs a fetch claimed whose answer never came: they are read back, not left doing for a live worker", async () => {
    const { app, ran, answerLost } = await workerLosingAnswerTo('FROM manana_fetch_jobs(')
    await defer({ a: { task: 'step' }, b: { task: 'step' } })
    startWorker(app, { heartbeatInterval: 1, staleAfter: 3600 })
    await answerLost
    await until(async () => (await statuses()).every((line) => line.endsWith('succeeded 1')), 'both jobs to succeed on the live worker')
    expect(ran.sort()).toEqual(['a', 'b'])
    expect(lines.join('\n')).toMatch(/job \d+ step was claimed by a call whose answer was lost: read back from the database/)
  })

  it("runs a child that the call recording its parent's end claimed, when that call's answer never came", async () => {
    const { app, ran, answerLost } = await workerLosingAnswerTo('FROM manana_end_attempts_and_fetch(')
    await defer({ a: { task: 'step' }, b: { task: 'step', dependsOn: ['a'] } })
    startWorker(app, { heartbeatInterval: 1, staleAfter: 3600 })
    await answerLost
    await until(async () => (await statuses()).every((line) => line.endsWith('succeeded 1')), 'the parent and its child to succeed')
    expect(ran).toEqual(['a', 'b'])
    // The parent's end, written again, is known to be written: no false alarm.
    expect(lines.join('\n')).not.toMatch(/was not recorded/)
  })

  it('writes an end again without ending a later attempt: the lost call had made the failed job ready for its retry and claimed it again', async () => {
    const { app, answerLost } = await workerLosingAnswerTo('manana_end_attempts')
    const runs: number[] = []
    app.task('flaky', { retry: { maxAttempts: 3 } }, async (_args, { attempt }) => {
      runs.push(attempt)
      if (attempt === 1) throw new Error('first attempt fails')
    })
    await defer({ f: { task: 'flaky' } })
    startWorker(app, { heartbeatInterval: 1, staleAfter: 3600, pollInterval: 0.05 })
    await answerLost
    await until(async () => (await statuses()).join() === 'f succeeded 2', 'the retry to succeed')
    expect(runs).toEqual([1, 2])
    expect(await t.sql(`SELECT attempt, message FROM manana_job_errors`)).toEqual([{ attempt: 1, message: 'first attempt fails' }])
    expect(lines.join('\n')).not.toMatch(/was not recorded/)
  })
})

describe('claiming ahead', () => {
  const doing = async () => Number((await t.sql(`SELECT count(*) AS n FROM procrastinate_jobs WHERE status = 'doing'`))[0]!.n)

  /** A worker at concurrency 2 that has timed quick tasks, then has both slots held by 'hold' jobs. */
  async function heldWorker(options: WorkerOptions = {}) {
    const app = createApp({ databaseUrl: t.url })
    const ran: number[] = []
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    app.task('quick', {}, async ({ n }: { n: number }) => void ran.push(n))
    app.task('hold', {}, () => released)
    await app.defer(Array.from({ length: 50 }, (_, n) => ({ task: 'quick', args: { n } })))
    startWorker(app, { concurrency: 2, claimAhead: 5, ...options })
    await until(async () => ran.length === 50, 'the quick jobs')
    const holds = await app.defer([{ task: 'hold', priority: 1 }, { task: 'hold', priority: 1 }])
    const queued = await app.defer(Array.from({ length: 10 }, (_, i) => ({ task: 'quick', args: { n: 100 + i } })))
    await until(async () => (await doing()) === 2 + 5, '5 jobs claimed ahead of the 2 held slots')
    return { app, ran, release, holds, queued }
  }

  it('claims quick jobs ahead of free slots, at most claimAhead, and starts those in order', async () => {
    const { ran, release, holds, queued } = await heldWorker({ heartbeatInterval: 30 })
    const claimed = await t.sql(`SELECT id, claimed_ahead FROM procrastinate_jobs WHERE status = 'doing' ORDER BY id`)
    expect(claimed).toEqual([...holds, ...queued.slice(0, 5)].map((id, i) => ({ id: String(id), claimed_ahead: i >= 2 })))
    release()
    await until(async () => ran.length === 60, 'the queued jobs')
    // The five claimed ahead start first, in order; the rest come from claims that run side by side
    // (a fetch and an end's claim), whose answers may arrive in either order.
    expect(ran.slice(50, 55)).toEqual([100, 101, 102, 103, 104])
    expect(ran.slice(55).sort((a, b) => a - b)).toEqual([105, 106, 107, 108, 109])
    // A task's end is recorded after it returns.
    await until(async () => (await Promise.all(queued.map(jobRow))).every((row) => row.status === 'succeeded'), 'the ends to be recorded')
    for (const id of queued) expect(await jobRow(id)).toMatchObject({ status: 'succeeded', attempts: 1 })
    // Marked so only while doing: an end that carried its start with it clears the mark too.
    expect(await t.sql(`SELECT id FROM procrastinate_jobs WHERE claimed_ahead`)).toEqual([])
  })

  it('puts jobs claimed ahead back when they wait a heartbeat, without counting an attempt', async () => {
    const { ran, release, queued } = await heldWorker({ heartbeatInterval: 0.3 })
    await until(async () => (await jobRow(queued[0]!)).status === 'todo', 'the claimed jobs to go back')
    expect(ran.length).toBe(50)
    expect(await jobRow(queued[0]!)).toMatchObject({ status: 'todo', attempts: 0 })
    expect(await eventsOf(t, queued[0]!)).toEqual(['deferred', 'started', 'deferred_for_retry'])
    release()
    await until(async () => ran.length === 60, 'the queued jobs')
    await until(statusIs(queued[0]!, 'succeeded'), 'its end to be recorded')
    expect(await jobRow(queued[0]!)).toMatchObject({ status: 'succeeded', attempts: 1 })
  })

  it('aborts a job claimed ahead without running it, and puts the others back on shutdown', async () => {
    const { app, ran, release, queued } = await heldWorker({ heartbeatInterval: 30, shutdownGrace: 0.1 })
    await app.jobs.abort(queued[1]!)
    await until(statusIs(queued[1]!, 'aborted'), 'the abort')
    expect(await eventsOf(t, queued[1]!)).toEqual(['deferred', 'started', 'abort_requested', 'aborted'])
    await Promise.all(stops.splice(0).map((stop) => stop()))
    release()
    expect(ran.length).toBe(50)
    for (const id of [queued[0]!, ...queued.slice(2)]) expect(await jobRow(id)).toMatchObject({ status: 'todo', attempts: 0 })
  })

  it('does not claim slow tasks ahead', async () => {
    const app = createApp({ databaseUrl: t.url })
    let done = 0
    // Slow enough that no fetch, however loaded the machine, lets a slot start another within one
    // fetch's time (the worker claims ahead only what its slots would start in that time).
    app.task('slow', {}, () => new Promise<void>((resolve) => setTimeout(() => (done++, resolve()), 400)))
    await app.defer(Array.from({ length: 8 }, () => ({ task: 'slow' })))
    startWorker(app, { concurrency: 2 })
    // The claim itself marks a job claimed ahead of a free slot, until it starts.
    const claimedAhead = new Set<number>()
    while (done < 8) {
      for (const row of await t.sql(`SELECT id::int FROM procrastinate_jobs WHERE claimed_ahead`)) claimedAhead.add(row.id as number)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect([...claimedAhead]).toEqual([])
  })
})
