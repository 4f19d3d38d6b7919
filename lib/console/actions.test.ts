// The console's actions under a burst: no request holds one pooled connection while it waits for
// another, so thirty workflow runs at once through a pool of four all answer, each audited, and
// leave the pool free; a pool that stays exhausted answers 503 database_busy, not never.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { until } from '../../test/until.ts'
import { Worker } from '../../worker/worker.ts'
import { toErrorResponse } from '../api/http.ts'
import { createPool } from '../db/pool.ts'
import { createApp } from '../queue/app.ts'
import { runWorkflowDefinition } from './actions.ts'

const t = useTestDatabase()

describe('actions under a burst', () => {
  it('thirty runs of a workflow definition at once through a pool of four all answer, audited, and leave the pool free', async () => {
    const app = createApp({ databaseUrl: t.url })
    const step = app.task('step', {}, async () => null)
    app.workflow('burst', {}, (w) => ({ only: w.step('only', step, {}) }))
    const worker = new Worker(app, { pollInterval: 0.2, log: () => {} })
    const running = worker.run()
    const pool = createPool(t.url, { max: 4 })
    try {
      await until(async () => worker.id !== undefined, 'the worker to announce the workflow')
      const who = { pool, audit: { actor: { name: 'tester', role: 'operator' as const }, source: null } }
      const results = await Promise.allSettled(Array.from({ length: 30 }, () => runWorkflowDefinition(who, 'burst', {})))
      expect(results.filter((result) => result.status === 'rejected')).toEqual([])
      expect(await t.sql(`SELECT count(*)::int AS n FROM manana_audit WHERE action = 'workflow.run' AND outcome = 'ok'`)).toEqual([{ n: 30 }])
      expect(pool.waitingCount).toBe(0)
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    } finally {
      await pool.end()
      worker.stop()
      await running
      await app.close()
    }
  })

  it('a pool that stays exhausted answers 503 database_busy', async () => {
    const pool = createPool(t.url, { max: 1, connectionTimeoutMs: 200 })
    const held = await pool.connect()
    try {
      const failure = await pool.query('SELECT 1').catch((error: unknown) => error)
      const response = toErrorResponse(failure, new Request('http://console/api/workflows', { method: 'POST' }))
      expect(response.status).toBe(503)
      expect((await response.json()).error.code).toBe('database_busy')
    } finally {
      held.release()
      await pool.end()
    }
  })
})
