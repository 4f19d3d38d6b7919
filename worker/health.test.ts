// A worker's /live and /ready over HTTP: ready once registered and listening, not ready while its
// listening connection is down (and again once it is back), live but not ready while it shuts
// down with a job still running.
import { afterEach, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { until } from '../test/until.ts'
import { createApp } from '../lib/queue/app.ts'
import { Worker } from './worker.ts'

const t = useTestDatabase()
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
})

async function get(worker: Worker, path: string, method = 'GET') {
  const response = await fetch(`http://127.0.0.1:${worker.servedPorts().health}${path}`, { method })
  return { status: response.status, body: await response.json() }
}

describe('worker health', () => {
  it('answers /live and /ready, and is not ready while its listening connection is down', async () => {
    const app = createApp({ databaseUrl: t.url })
    const worker = new Worker(app, { healthPort: 0, heartbeatInterval: 0.2, log: () => {} })
    const running = worker.run()
    cleanups.push(async () => {
      worker.stop()
      await running
      await app.close()
    })
    await until(async () => worker.servedPorts().health !== undefined, 'the health server')
    await until(async () => (await get(worker, '/ready')).status === 200, 'ready') // once registered and listening
    expect(await get(worker, '/live')).toEqual({ status: 200, body: { live: true, problems: [] } })
    expect(await get(worker, '/ready')).toEqual({ status: 200, body: { ready: true, problems: [] } })
    expect(await get(worker, '/elsewhere')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } })
    expect(await get(worker, '/ready', 'POST')).toMatchObject({ status: 405, body: { error: { code: 'method_not_allowed' } } })

    // Its listening session holds the worker's liveness lock (taken a moment after it is ready): end that session.
    const session = await until(async () => {
      const [held] = await t.sql<{ pid: number }>(
        `SELECT lock.pid FROM pg_locks AS lock WHERE lock.locktype = 'advisory' AND lock.classid = manana_worker_lock_class()::oid AND lock.objid = $1::oid
           AND lock.database = (SELECT oid FROM pg_database WHERE datname = current_database())`, // worker ids repeat across the test files' databases
        [worker.id],
      )
      return held
    }, 'its liveness lock')
    await t.sql('SELECT pg_terminate_backend($1)', [session.pid])
    const down = await until(async () => {
      const ready = await get(worker, '/ready')
      return ready.status === 503 && ready
    }, '/ready to say 503')
    expect(down.body).toEqual({ ready: false, problems: ['it is not listening for notifications'] })
    expect((await get(worker, '/live')).status).toBe(200)
    await until(async () => (await get(worker, '/ready')).status === 200, '/ready to say 200 again')
  })

  it('refuses to start on a port in use, and leaves nothing open or registered', async () => {
    const app = createApp({ databaseUrl: t.url })
    const first = new Worker(app, { healthPort: 0, log: () => {} })
    const running = first.run()
    await until(async () => first.servedPorts().health !== undefined && (await get(first, '/ready')).status === 200, 'the first worker ready')
    const second = new Worker(app, { metricsPort: 0, healthPort: first.servedPorts().health!, log: () => {} })
    await expect(second.run()).rejects.toThrow(/EADDRINUSE/)
    expect(second.servedPorts()).toEqual({ health: undefined, metrics: undefined })
    expect(await t.sql('SELECT count(*)::int AS n FROM procrastinate_workers')).toEqual([{ n: 1 }])
    first.stop()
    await running
    await app.close()
  })

  it('is live but not ready while it shuts down with a job running, and stops serving once stopped', async () => {
    const app = createApp({ databaseUrl: t.url })
    let release!: () => void
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    app.task('hold', {}, () => {
      started()
      return new Promise<void>((resolve) => (release = resolve))
    })
    await app.defer([{ task: 'hold' }])
    const worker = new Worker(app, { healthPort: 0, log: () => {} })
    const run = worker.run()
    await running
    const port = worker.servedPorts().health
    worker.stop()
    expect(await get(worker, '/ready')).toEqual({ status: 503, body: { ready: false, problems: ['it is shutting down'] } })
    expect(await get(worker, '/live')).toEqual({ status: 200, body: { live: true, problems: ['it is shutting down'] } })
    release()
    await run
    await app.close()
    await expect(fetch(`http://127.0.0.1:${port}/live`)).rejects.toThrow()
  })
})
