// The database as Python Procrastinate sees it: its functions called with the arguments it
// passes, its events and its notifications. See ../shared/PROCRASTINATE.md.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { eventsOf, listen, statusOf } from '../../test/jobs.ts'
import { deferJobs } from './defer.ts'

const t = useTestDatabase()

const pyDefer = async (...jobs: Array<[queue: string, task: string, lock?: string | null, queueingLock?: string | null, args?: object]>) => {
  const [row] = await t.sql(
    `SELECT procrastinate_defer_jobs_v1(ARRAY(
       SELECT ROW(q, t, 0, l, ql, a, NULL)::procrastinate_job_to_defer_v1
       FROM unnest($1::varchar[], $2::varchar[], $3::text[], $4::text[], $5::jsonb[]) AS j (q, t, l, ql, a))) AS ids`,
    [
      jobs.map((job) => job[0]),
      jobs.map((job) => job[1]),
      jobs.map((job) => job[2] ?? null),
      jobs.map((job) => job[3] ?? null),
      jobs.map((job) => JSON.stringify(job[4] ?? {})),
    ],
  )
  return (row!.ids as string[]).map(Number)
}
const pyFetch = async (queues: string[] | null, workerId: number | null) =>
  (
    await t.sql(
      `SELECT id, status, task_name, priority, lock, queueing_lock, args, scheduled_at, queue_name, attempts, worker_id
       FROM procrastinate_fetch_job_v2($1::varchar[], $2)`,
      [queues, workerId],
    )
  )[0]!
const pyFinish = (id: number, status: string, deleteJob = false) =>
  t.sql('SELECT procrastinate_finish_job_v1($1, $2, $3)', [id, status, deleteJob])
const pyRegister = async () => Number((await t.sql('SELECT worker_id FROM procrastinate_register_worker_v1()'))[0]!.worker_id)

describe('Procrastinate contract', () => {
  it('answers the schema check', async () => {
    const [row] = await t.sql(`SELECT to_regclass('procrastinate_jobs') AS check`)
    expect(row!.check).toBe('procrastinate_jobs')
  })

  it('defers a batch in order, fetches it, finishes it', async () => {
    const ids = await pyDefer(['default', 'a', null, null, { x: 1 }], ['other', 'b'])
    expect(ids).toEqual([1, 2])
    const worker = await pyRegister()
    const job = await pyFetch(['default'], worker)
    expect(job).toMatchObject({ id: '1', status: 'doing', task_name: 'a', args: { x: 1 }, queue_name: 'default', attempts: 0 })
    expect(Number(job.worker_id)).toBe(worker)
    await pyFinish(1, 'succeeded')
    const [done] = await t.sql('SELECT status, attempts, worker_id FROM procrastinate_jobs WHERE id = 1')
    expect(done).toEqual({ status: 'succeeded', attempts: 1, worker_id: null })
    await expect(pyFinish(1, 'succeeded')).rejects.toMatchObject({ code: 'job_not_finishable' })
    await expect(pyFinish(2, 'todo')).rejects.toMatchObject({ code: 'job_not_finishable' })
    // todo → succeeded directly is allowed (and is a cancellation event), without an attempt.
    await pyFinish(2, 'succeeded')
    expect(await eventsOf(t, 2)).toEqual(['deferred', 'cancelled'])
  })

  it('refuses a queueing-lock clash with the unique violation Python expects', async () => {
    await pyDefer(['default', 'a', null, 'Q'])
    await expect(pyDefer(['default', 'a', null, 'Q'])).rejects.toMatchObject({ code: 'queueing_lock_taken' })
    const error = await t.pool.query(
      `SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('default', 'a', 0, NULL, 'Q', '{}', NULL)::procrastinate_job_to_defer_v1])`,
    ).catch((e) => e)
    expect(error).toMatchObject({ code: '23505', constraint: 'procrastinate_jobs_queueing_lock_idx_v1' })
  })

  it('retries: v1 from doing, v2 from doing or failed, aborting jobs fail', async () => {
    const [a, b, c] = await pyDefer(['default', 'a'], ['default', 'b'], ['default', 'c'])
    await pyFetch(null, null)
    await t.sql(`SELECT procrastinate_retry_job_v1($1, now() + interval '1 hour', 7, 'elsewhere', 'L')`, [a])
    expect((await t.sql('SELECT status, attempts, priority, queue_name, lock FROM procrastinate_jobs WHERE id = $1', [a]))[0]).toEqual({
      status: 'todo',
      attempts: 1,
      priority: 7,
      queue_name: 'elsewhere',
      lock: 'L',
    })
    // Triggers fire in name order, as upstream: the 'scheduled' event (at the retry time) comes first.
    expect(await eventsOf(t, a!)).toEqual(['deferred', 'started', 'scheduled', 'deferred_for_retry'])
    await expect(t.sql(`SELECT procrastinate_retry_job_v1($1, now(), NULL, NULL, NULL)`, [a])).rejects.toMatchObject({
      code: 'job_not_retryable',
    })

    await pyFetch(['default'], null) // b
    await pyFinish(b!, 'failed')
    await t.sql(`SELECT procrastinate_retry_job_v2($1, NULL, NULL, NULL, NULL)`, [b])
    expect((await t.sql('SELECT status, attempts FROM procrastinate_jobs WHERE id = $1', [b]))[0]).toEqual({ status: 'todo', attempts: 2 })
    expect(await eventsOf(t, b!)).toEqual(['deferred', 'started', 'failed', 'retried'])

    await t.sql(`UPDATE procrastinate_jobs SET status = 'doing' WHERE id = $1`, [c])
    await t.sql('SELECT procrastinate_cancel_job_v1($1, true, false)', [c])
    await t.sql(`SELECT procrastinate_retry_job_v2($1, now(), NULL, NULL, NULL)`, [c])
    expect(await statusOf(t, c!)).toBe('failed')
  })

  it('cancels: todo → cancelled or deleted; abort marks a doing job; NULL when it does not apply', async () => {
    const [a, b, c] = await pyDefer(['default', 'a'], ['default', 'b'], ['default', 'c'])
    const cancel = async (id: number, abort: boolean, del: boolean) =>
      (await t.sql('SELECT procrastinate_cancel_job_v1($1, $2, $3) AS id', [id, abort, del]))[0]!.id
    expect(await cancel(a!, false, false)).toBe(String(a))
    expect(await statusOf(t, a!)).toBe('cancelled')
    expect(await cancel(b!, false, true)).toBe(String(b))
    expect(await statusOf(t, b!)).toBeUndefined()
    await pyFetch(null, null) // c
    expect(await cancel(c!, false, false)).toBeNull()
    expect(await cancel(c!, true, false)).toBe(String(c))
    const [row] = await t.sql('SELECT status, abort_requested FROM procrastinate_jobs WHERE id = $1', [c])
    expect(row).toEqual({ status: 'doing', abort_requested: true })
    const [toAbort] = await t.sql(`SELECT id FROM procrastinate_jobs WHERE status = 'doing' AND abort_requested`)
    expect(Number(toAbort!.id)).toBe(c)
    await expect(t.sql(`UPDATE procrastinate_jobs SET status = 'todo' WHERE id = $1`, [c])).rejects.toMatchObject({
      message: expect.stringContaining('check_not_todo_abort_requested'),
    })
  })

  it('registers workers, beats, prunes stale ones, and frees their jobs', async () => {
    const alive = await pyRegister()
    const dead = await pyRegister()
    const [id] = await pyDefer(['default', 'a'])
    await pyFetch(null, dead)
    await t.sql(`UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id = $1`, [dead])
    await t.sql('SELECT procrastinate_update_heartbeat_v1($1)', [alive])
    const pruned = await t.sql('SELECT worker_id FROM procrastinate_prune_stalled_workers_v1(60)')
    expect(pruned.map((row) => Number(row.worker_id))).toEqual([dead])
    const [job] = await t.sql('SELECT status, worker_id FROM procrastinate_jobs WHERE id = $1', [id])
    expect(job).toEqual({ status: 'doing', worker_id: null })
    await t.sql('SELECT procrastinate_unregister_worker_v1($1)', [alive])
    expect(await t.sql('SELECT * FROM procrastinate_workers')).toEqual([])
  })

  it('defers each periodic tick once, however many workers try', async () => {
    const tick = (ts: number) =>
      t.sql(`SELECT procrastinate_defer_periodic_job_v2('default', NULL, NULL, 'cleanup', 0, '', $1, '{"ts": 1}') AS id`, [ts])
    const [first, second] = await Promise.all([tick(100), tick(100)])
    const ids = [first![0]!.id, second![0]!.id]
    expect(ids.filter((id) => id === null)).toHaveLength(1)
    const [next] = await tick(160)
    expect(next!.id).not.toBeNull()
    // A late worker offering an older tick gets nothing: that tick is behind the latest.
    expect((await tick(100))[0]!.id).toBeNull()
    // Only the latest tick is remembered; deleting its job unlinks it.
    const defers = await t.sql('SELECT defer_timestamp::int, job_id::int FROM procrastinate_periodic_defers')
    expect(defers).toEqual([{ defer_timestamp: 160, job_id: Number(next!.id) }])
    await t.sql('DELETE FROM procrastinate_jobs WHERE id = $1', [next!.id])
    expect((await t.sql('SELECT job_id FROM procrastinate_periodic_defers'))[0]!.job_id).toBeNull()
  })

  it('writes the event history of each transition', async () => {
    const [a, b, c, d] = await pyDefer(['default', 'a'], ['default', 'b'], ['default', 'c'], ['default', 'd'])
    const [scheduled] = await deferJobs(t.db, [{ task: 's', scheduledAt: '2030-01-01T00:00:00Z' }])
    await pyFetch(null, null)
    await pyFinish(a!, 'succeeded')
    await pyFetch(null, null)
    await pyFinish(b!, 'failed')
    await t.sql('SELECT procrastinate_cancel_job_v1($1, false, false)', [c])
    await pyFetch(null, null)
    await t.sql('SELECT procrastinate_cancel_job_v1($1, true, false)', [d])
    await pyFinish(d!, 'aborted')
    expect(await eventsOf(t, a!)).toEqual(['deferred', 'started', 'succeeded'])
    expect(await eventsOf(t, b!)).toEqual(['deferred', 'started', 'failed'])
    expect(await eventsOf(t, c!)).toEqual(['deferred', 'cancelled'])
    expect(await eventsOf(t, d!)).toEqual(['deferred', 'started', 'abort_requested', 'aborted'])
    const events = await t.sql(`SELECT type, at FROM procrastinate_events WHERE job_id = $1 ORDER BY id`, [scheduled])
    expect(events.map((e) => e.type)).toEqual(['deferred', 'scheduled'])
    expect(events[1]!.at.toISOString()).toBe('2030-01-01T00:00:00.000Z')
  })

  it("deletes a job's events with it, however the job is deleted", async () => {
    const [a, b, c, kept] = await pyDefer(['default', 'a'], ['default', 'b'], ['default', 'c'], ['default', 'kept'])
    await pyFetch(null, null)
    await pyFinish(a!, 'succeeded', true) // Python's delete-on-success
    await t.sql('SELECT procrastinate_cancel_job_v1($1, false, true)', [b]) // cancel and delete
    await t.sql('DELETE FROM procrastinate_jobs WHERE id = $1', [c]) // Python's old-job deletion, plain SQL
    expect(await t.sql('SELECT DISTINCT job_id FROM procrastinate_events ORDER BY job_id')).toEqual([{ job_id: String(kept) }])
    await t.sql('TRUNCATE procrastinate_jobs CASCADE')
    expect(await t.sql('SELECT id FROM procrastinate_events')).toEqual([])
  })

  it('writes each event at the time of its change, not at the start of its transaction', async () => {
    await deferJobs(t.db, [{ key: 'parent', task: 'a' }, { key: 'child', task: 'b', dependsOn: ['parent'] }])
    await t.sql(`SELECT id FROM manana_fetch_jobs(NULL, NULL, 1)`)
    // A transaction that began before the parent finished (a worker's claim waiting on a lock)...
    const waiting = await t.pool.connect()
    try {
      await waiting.query('BEGIN')
      await waiting.query('SELECT now()')
      await new Promise((resolve) => setTimeout(resolve, 50))
      await t.sql(`SELECT manana_finish_job(1, 'succeeded', NULL, false)`)
      // ...claims the child the parent's end made ready: its 'started' comes after that end.
      expect((await waiting.query(`SELECT id FROM manana_fetch_jobs(NULL, NULL, 1)`)).rows).toEqual([{ id: '2' }])
      await waiting.query('COMMIT')
    } finally {
      waiting.release()
    }
    const events = await t.sql(`SELECT job_id, type FROM procrastinate_events WHERE type IN ('succeeded', 'started') ORDER BY at, id`)
    expect(events.map((e) => `${e.job_id} ${e.type}`)).toEqual(['1 started', '1 succeeded', '2 started'])
  })

  it('notifies job_inserted and abort_job_requested on the queue and any-queue channels', async () => {
    const listener = await listen(t, ['procrastinate_queue_v1#reports', 'procrastinate_any_queue_v1'])
    try {
      const [id] = await pyDefer(['reports', 'a'])
      const payload = { type: 'job_inserted', job_id: id }
      expect(await listener.next(2)).toEqual([
        { channel: 'procrastinate_queue_v1#reports', payload },
        { channel: 'procrastinate_any_queue_v1', payload },
      ])
      await pyFetch(null, null)
      await t.sql('SELECT procrastinate_cancel_job_v1($1, true, false)', [id])
      const abort = { type: 'abort_job_requested', job_id: id }
      expect(await listener.next(2)).toEqual([
        { channel: 'procrastinate_queue_v1#reports', payload: abort },
        { channel: 'procrastinate_any_queue_v1', payload: abort },
      ])
    } finally {
      await listener.close()
    }
  })

  it('keeps counts right when Python finishes parents and when edges are added by plain SQL', async () => {
    const [parent, child] = await pyDefer(['default', 'p'], ['default', 'c'])
    // The fork added edges after the job, by plain SQL, in the same transaction.
    await t.sql('INSERT INTO procrastinate_job_dependencies (job_id, depends_on_job_id) VALUES ($1, $2)', [child, parent])
    expect((await t.sql('SELECT unfinished_parents FROM procrastinate_jobs WHERE id = $1', [child]))[0]!.unfinished_parents).toBe(1)
    expect(Number((await pyFetch(null, null)).id)).toBe(parent)
    expect((await pyFetch(null, null)).id).toBeNull()
    await pyFinish(parent!, 'failed')
    expect(Number((await pyFetch(null, null)).id)).toBe(child)
    // An edge to an already finished parent does not block.
    const [late] = await pyDefer(['default', 'late'])
    await t.sql('INSERT INTO procrastinate_job_dependencies (job_id, depends_on_job_id) VALUES ($1, $2)', [late, parent])
    expect(Number((await pyFetch(null, null)).id)).toBe(late)
  })
})
