import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { eventsOf, fetchIds, finish, listen, runNext, statusOf } from '../../test/jobs.ts'
import { deferJobs, deferWorkflow } from './defer.ts'
import { JobManager } from './job-manager.ts'

const t = useTestDatabase()
const jobs = () => new JobManager(t.db)

async function expectCode(promise: Promise<unknown>, code: string) {
  await expect(promise).rejects.toMatchObject({ name: 'ManaError', code })
}

describe('job manager', () => {
  it('gets a job, or undefined', async () => {
    const [id] = await deferJobs(t.db, [{ task: 'x', args: { a: 1 } }])
    expect(await jobs().get(id!)).toMatchObject({ id, task: 'x', args: { a: 1 }, status: 'todo' })
    expect(await jobs().get(123456)).toBeUndefined()
  })

  it('lists oldest first page after page, or the slowest latest attempts', async () => {
    await deferJobs(t.db, Array.from({ length: 6 }, (_, i) => ({ task: i === 5 ? 'other' : 'work' })))
    const first = await jobs().list({}, { limit: 4, order: 'oldest' })
    expect(first.jobs.map((job) => job.id)).toEqual([1, 2, 3, 4])
    expect((await jobs().list({}, { limit: 4, order: 'oldest', after: first.next! })).jobs.map((job) => job.id)).toEqual([5, 6])
    // Jobs 1, 2, 3 ran 3, 1 and 2 s; 4 still runs; 5 went back to todo for a retry at once; 6 ran 9 s, another task.
    const ids = await fetchIds(t, 6)
    expect(ids).toHaveLength(6)
    for (const [id, seconds] of [[1, 3], [2, 1], [3, 2], [6, 9]]) {
      await t.sql(`UPDATE procrastinate_events SET at = at - make_interval(secs => $2) WHERE job_id = $1 AND type = 'started'`, [id, seconds])
      await finish(t, id!, 'succeeded')
    }
    await t.sql(`SELECT procrastinate_retry_job_v2(5, now() + interval '1 hour', NULL, NULL, NULL)`)
    const slowest = await jobs().list({ task: 'work' }, { order: 'slowest' })
    expect(slowest.jobs.map((job) => job.id)).toEqual([1, 3, 2, 5])
    expect(slowest).toMatchObject({ next: null, among: 5 })
  })

  it('sorts by slowest among the jobs that ran: queued ones behind them do not push them out', async () => {
    await deferJobs(t.db, [{ task: 'work' }, { task: 'work' }])
    for (const id of await fetchIds(t, 2)) {
      await t.sql(`UPDATE procrastinate_events SET at = at - interval '9 seconds' WHERE job_id = $1 AND type = 'started'`, [id])
      await finish(t, id, id === 1 ? 'succeeded' : 'failed')
    }
    // A big workflow waits behind them: more queued jobs than the sort looks among.
    await t.sql(`INSERT INTO procrastinate_jobs (queue_name, task_name) SELECT 'default', 'work' FROM generate_series(1, 10001)`)
    const slowest = await jobs().list({ task: 'work' }, { order: 'slowest' })
    expect(slowest.jobs.map((job) => job.id)).toEqual([2, 1])
    expect(slowest.among).toBe(2)
    expect(await jobs().list({ task: 'nothing' }, { order: 'slowest' })).toEqual({ jobs: [], next: null, among: 0 })
  })

  it('lists the jobs deferred in a time range, newest or oldest first, by their ids', async () => {
    // 30 jobs: ten deferred three hours ago, ten half an hour ago, ten now.
    await deferJobs(t.db, Array.from({ length: 30 }, () => ({ task: 'work' })))
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '3 hours' + make_interval(secs => job_id) WHERE job_id <= 10`)
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '30 minutes' + make_interval(secs => job_id) WHERE job_id BETWEEN 11 AND 20`)
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000)
    const ids = async (filter: Parameters<JobManager['list']>[0], order?: 'oldest') => (await jobs().list(filter, { order, limit: 100 })).jobs.map((job) => job.id)
    expect(await ids({ deferredFrom: ago(60) })).toEqual(Array.from({ length: 20 }, (_, i) => 30 - i))
    expect(await ids({ deferredFrom: ago(120), deferredBefore: ago(10) }, 'oldest')).toEqual(Array.from({ length: 10 }, (_, i) => 11 + i))
    expect(await ids({ deferredBefore: ago(120) }, 'oldest')).toEqual(Array.from({ length: 10 }, (_, i) => 1 + i))
    expect(await ids({ deferredFrom: ago(10), ids: [5, 25] })).toEqual([25])
    expect(await ids({ deferredFrom: new Date(Date.now() + 60_000) })).toEqual([])
    // The edge is exact to the job: job 15 was deferred 30 min - 15 s ago.
    const [{ at }] = (await t.sql(`SELECT at FROM procrastinate_events WHERE job_id = 15 AND type = 'deferred'`)) as [{ at: Date }]
    expect(await ids({ deferredFrom: at, deferredBefore: new Date(at.getTime() + 1) })).toEqual([15])
    // Bulk actions take the same range.
    expect(await jobs().bulk({ deferredFrom: ago(60), deferredBefore: ago(10) }, 'cancel', { dryRun: true })).toMatchObject({ matched: 10, applicable: 10 })
    // Or by when an attempt ended: job 3's ended two hours ago, job 25's now.
    await fetchIds(t, 30)
    for (const id of [3, 25]) await finish(t, id, 'succeeded')
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '2 hours' WHERE job_id = 3 AND type = 'succeeded'`)
    expect(await ids({ endedFrom: ago(60) })).toEqual([25])
    expect(await ids({ endedFrom: ago(180), endedBefore: ago(60) })).toEqual([3])
    // Deleted jobs leave holes the search steps over; an empty table has no edge to find.
    await t.sql(`DELETE FROM procrastinate_jobs WHERE id BETWEEN 8 AND 14`)
    expect(await ids({ deferredFrom: ago(120), deferredBefore: ago(10) }, 'oldest')).toEqual([15, 16, 17, 18, 19, 20])
    await t.sql(`DELETE FROM procrastinate_jobs`)
    expect(await ids({ deferredFrom: ago(60) })).toEqual([])
  })

  it('lists newest first with filters and keyset pages', async () => {
    await deferJobs(
      t.db,
      Array.from({ length: 25 }, (_, i) => ({
        task: i % 2 ? 'odd' : 'even',
        queue: i < 10 ? 'q1' : 'q2',
        args: { user_id: i, tag: "O'Brien; DROP TABLE procrastinate_jobs" },
      })),
    )
    const first = await jobs().list({}, { limit: 10 })
    expect(first.jobs.map((job) => job.id)).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16])
    expect(first.next).toBe(16)
    const second = await jobs().list({}, { limit: 10, after: first.next! })
    expect(second.jobs[0]!.id).toBe(15)
    const third = await jobs().list({}, { limit: 10, after: 6 })
    expect(third.jobs.map((job) => job.id)).toEqual([5, 4, 3, 2, 1])
    expect(third.next).toBeNull()

    expect((await jobs().list({ task: 'odd', queue: 'q1' })).jobs.map((job) => job.id)).toEqual([10, 8, 6, 4, 2])
    expect((await jobs().list({ args: { user_id: 7 } })).jobs.map((job) => job.id)).toEqual([8])
    expect((await jobs().list({ args: { tag: "O'Brien; DROP TABLE procrastinate_jobs" } })).jobs).toHaveLength(25)
    expect((await jobs().list({ ids: [3, 4, 99] })).jobs.map((job) => job.id)).toEqual([4, 3])
    await fetchIds(t, 2)
    expect((await jobs().list({ status: ['doing'] })).jobs.map((job) => job.id)).toEqual([2, 1])
    expect((await jobs().list({ status: 'todo' }, { limit: 1 })).jobs).toHaveLength(1)
  })

  describe('cancel and abort', () => {
    it('cancels a todo job; its waiting child then runs and sees it cancelled', async () => {
      const ids = await deferWorkflow(t.db, { a: { task: 'a' }, child: { task: 'c', dependsOn: ['a'] } })
      await jobs().cancel(ids.a)
      expect(await statusOf(t, ids.a)).toBe('cancelled')
      expect(await eventsOf(t, ids.a)).toEqual(['deferred', 'cancelled'])
      expect(await fetchIds(t, 5)).toEqual([ids.child])
      expect(await jobs().parentStatuses(ids.child)).toEqual({ [ids.a]: 'cancelled' })
    })

    it('refuses to cancel a doing job (abort it) or a finished one, and a missing one', async () => {
      const [id] = await deferJobs(t.db, [{ task: 'x' }])
      await fetchIds(t)
      await expectCode(jobs().cancel(id!), 'job_not_cancellable')
      await finish(t, id!, 'succeeded')
      await expectCode(jobs().abort(id!), 'job_not_cancellable')
      await expectCode(jobs().cancel(999), 'job_not_found')
    })

    it('aborting a doing job asks its worker to stop; the worker ends it as aborted', async () => {
      const [id] = await deferJobs(t.db, [{ task: 'x' }])
      await fetchIds(t)
      await jobs().abort(id!)
      expect(await jobs().get(id!)).toMatchObject({ status: 'doing', abortRequested: true })
      await finish(t, id!, 'aborted')
      expect(await jobs().get(id!)).toMatchObject({ status: 'aborted', abortRequested: false })
      expect(await eventsOf(t, id!)).toEqual(['deferred', 'started', 'abort_requested', 'aborted'])
    })
  })

  describe('retry', () => {
    it('retry with downstream previews, then re-runs the finished subtree in dependency order', async () => {
      const ids = await deferWorkflow(t.db, {
        root: { task: 'root' },
        a: { task: 'a', dependsOn: ['root'] },
        b: { task: 'b', dependsOn: ['root'] },
        join: { task: 'join', dependsOn: ['a', 'b'] },
        unrelated: { task: 'u' },
      })
      await runNext(t, 'failed') // root
      for (let i = 0; i < 4; i++) await runNext(t, 'succeeded')
      expect(await fetchIds(t)).toEqual([])

      const preview = await jobs().retryPreview(ids.root, { downstream: true })
      expect(preview.map((job) => [job.id, job.depth])).toEqual([
        [ids.root, 0],
        [ids.a, 1],
        [ids.b, 1],
        [ids.join, 2],
      ])
      expect(await statusOf(t, ids.join)).toBe('succeeded') // the preview changed nothing
      expect((await jobs().retry(ids.root, { downstream: true })).sort((x, y) => x - y)).toEqual(
        [ids.root, ids.a, ids.b, ids.join].sort((x, y) => x - y),
      )
      expect(await fetchIds(t, 10)).toEqual([ids.root])
      await finish(t, ids.root, 'succeeded')
      expect(await fetchIds(t, 10)).toEqual([ids.a, ids.b])
      await finish(t, ids.a, 'succeeded')
      expect(await fetchIds(t, 10)).toEqual([])
      await finish(t, ids.b, 'succeeded')
      expect(await fetchIds(t, 10)).toEqual([ids.join])
      expect(await statusOf(t, ids.unrelated)).toBe('succeeded')
      expect(await eventsOf(t, ids.join)).toEqual(['deferred', 'started', 'succeeded', 'retried', 'started'])
    })

    it('a job back to todo and ready wakes the workers of its queue, as a new one does: a retry, a release, a retry by strategy', async () => {
      const [id] = await deferJobs(t.db, [{ task: 'x', queue: 'q' }])
      const channel = await listen(t, ['procrastinate_queue_v1#q'])
      const wakes = async () => (await channel.next(1)).map((message) => (message.payload as { type: string }).type)
      await runNext(t, 'failed')
      expect(await wakes()).toEqual([])
      await jobs().retry(id!)
      expect(await wakes()).toEqual(['job_inserted'])
      await fetchIds(t)
      await t.sql(`SELECT manana_end_attempt($1, NULL, 'released', NULL, NULL, NULL)`, [id])
      expect(await wakes()).toEqual(['job_inserted'])
      await fetchIds(t)
      await t.sql(`SELECT procrastinate_retry_job_v2($1, now(), NULL, NULL, NULL)`, [id])
      expect(await wakes()).toEqual(['job_inserted'])
      // Retried for later: the poll finds it then, nothing to wake anyone for now.
      await fetchIds(t)
      await t.sql(`SELECT procrastinate_retry_job_v2($1, now() + interval '1 hour', NULL, NULL, NULL)`, [id])
      expect(await wakes()).toEqual([])
      await channel.close()
    })

    it('refuses to retry a job that has not finished', async () => {
      const [id] = await deferJobs(t.db, [{ task: 'x' }])
      await expectCode(jobs().retryPreview(id!), 'job_not_retryable')
      await expectCode(jobs().retry(id!, { downstream: true }), 'job_not_retryable')
      await expectCode(jobs().retry(404), 'job_not_found')
    })
  })

  describe('delete', () => {
    it('deletes a job with its edges, and refuses one that runs or that a child still needs', async () => {
      const ids = await deferWorkflow(t.db, { a: { task: 'a' }, child: { task: 'c', dependsOn: ['a'] } })
      await expectCode(jobs().delete(ids.a), 'job_has_unfinished_children')
      await runNext(t)
      await fetchIds(t)
      await expectCode(jobs().delete(ids.child), 'job_not_deletable')
      await expectCode(jobs().delete(ids.a), 'job_has_unfinished_children')
      await finish(t, ids.child, 'succeeded')
      await jobs().delete(ids.child)
      expect(await t.sql('SELECT * FROM procrastinate_job_dependencies')).toEqual([])
      await jobs().delete(ids.a)
      expect(await jobs().get(ids.a)).toBeUndefined()
      await expectCode(jobs().delete(ids.a), 'job_not_found')
    })

    it('deleting a waiting child removes its edges and leaves its parent alone', async () => {
      const ids = await deferWorkflow(t.db, { a: { task: 'a' }, child: { task: 'c', dependsOn: ['a'] } })
      await jobs().delete(ids.child)
      expect(await t.sql('SELECT * FROM procrastinate_job_dependencies')).toEqual([])
      expect(await fetchIds(t, 5)).toEqual([ids.a])
    })
  })

  describe('retention', () => {
    it('keeps recent jobs and jobs of other statuses or queues', async () => {
      const [a, b] = await deferJobs(t.db, [{ task: 'x', queue: 'q1' }, { task: 'x', queue: 'q2' }])
      await runNext(t, 'failed')
      await runNext(t, 'succeeded')
      expect(await jobs().prune({ olderThan: '1h' })).toBe(0)
      expect(await jobs().prune({ olderThan: 0, statuses: ['succeeded'] })).toBe(1)
      expect(await jobs().prune({ olderThan: 0, queue: 'q2' })).toBe(0)
      expect(await jobs().get(a!)).toBeDefined()
      expect(await jobs().get(b!)).toBeUndefined()
    })

    it('deletes in batches of its own transactions, with edges and events, never a parent an unfinished child needs; a dry run deletes nothing', async () => {
      // Seven finished jobs, the first a parent of a job still waiting; then one recent.
      const ids = await deferWorkflow(t.db, Object.fromEntries([
        ...Array.from({ length: 7 }, (_, i) => [`old${i}`, { task: 'x' }]),
        ['waiting', { task: 'x', dependsOn: ['old0'], scheduleIn: 3600 }],
      ]))
      for (let i = 0; i < 7; i++) await runNext(t, 'succeeded')
      await t.sql(`UPDATE procrastinate_events SET at = now() - interval '8 days'`)
      const [recent] = await deferJobs(t.db, [{ task: 'x' }])
      await runNext(t, 'succeeded')
      const batches: number[] = []
      expect(await jobs().prune({ olderThan: '7d', batch: 2, dryRun: true })).toBe(6)
      expect((await t.sql('SELECT count(*)::int AS n FROM procrastinate_jobs'))[0]!.n).toBe(9)
      expect(await jobs().prune({ olderThan: '7d', batch: 2, onBatch: (deleted) => batches.push(deleted) })).toBe(6)
      expect(batches).toEqual([1, 3, 5, 6, 6]) // 9 jobs, 2 at a time (old0 kept), then none left
      expect((await t.sql('SELECT id::int FROM procrastinate_jobs ORDER BY id')).map((row) => row.id)).toEqual([ids.old0, ids.waiting, recent])
      expect(await t.sql('SELECT job_id::int FROM procrastinate_events WHERE job_id <> ALL ($1) LIMIT 1', [[ids.old0, ids.waiting, recent]])).toEqual([])
      expect((await t.sql('SELECT count(*)::int AS n FROM procrastinate_job_dependencies'))[0]!.n).toBe(1)
    })

    it('refuses an age, a status or a batch it cannot use, deleting nothing', async () => {
      await deferJobs(t.db, [{ task: 'x' }])
      await runNext(t, 'succeeded')
      for (const options of [{ olderThan: '7 days' }, { olderThan: -1 }, { olderThan: 0, statuses: ['todo' as never] }, { olderThan: 0, batch: 0 }]) {
        await expect(jobs().prune(options)).rejects.toMatchObject({ code: 'invalid_retention' })
      }
      // The rule is in SQL, for every caller.
      await expect(t.sql(`SELECT * FROM manana_prune_jobs(0, '{doing}', NULL, 0, 10)`)).rejects.toMatchObject({ code: 'invalid_retention' })
      expect((await t.sql('SELECT count(*)::int AS n FROM procrastinate_jobs'))[0]!.n).toBe(1)
    })
  })

  it('gives exactly the parents statuses and results', async () => {
    const ids = await deferWorkflow(t.db, {
      a: { task: 'a' },
      b: { task: 'b' },
      unrelated: { task: 'u' },
      child: { task: 'c', dependsOn: ['a', 'b'] },
    })
    await runNext(t, 'succeeded', { rows: 3 })
    expect(await jobs().parentStatuses(ids.child)).toEqual({ [ids.a]: 'succeeded', [ids.b]: 'todo' })
    await runNext(t, 'failed')
    expect(await jobs().parentStatuses(ids.child)).toEqual({ [ids.a]: 'succeeded', [ids.b]: 'failed' })
    expect(await jobs().parentResults(ids.child)).toEqual({ [ids.a]: { rows: 3 }, [ids.b]: null })
    expect(await jobs().parentStatuses(ids.a)).toEqual({})
  })

  it('acts on everything a filter matches, after a dry run that says what it would do', async () => {
    await deferJobs(t.db, Array.from({ length: 6 }, (_, i) => ({ task: 'report', args: { user_id: i % 2 } })))
    await deferJobs(t.db, [{ task: 'other', args: { user_id: 1 } }])
    await fetchIds(t, 1) // job 1 (user 0) is now doing
    const preview = await jobs().bulk({ task: 'report', args: { user_id: 0 } }, 'cancel', { dryRun: true })
    expect(preview).toMatchObject({ matched: 3, applicable: 2, skipped: 1, done: 0, tooMany: false })
    expect(preview.sample.map((job) => job.id)).toEqual([5, 3, 1])
    expect(await statusOf(t, 3)).toBe('todo')
    const done = await jobs().bulk({ task: 'report', args: { user_id: 0 } }, 'cancel')
    expect(done).toMatchObject({ matched: 3, done: 2 })
    expect([await statusOf(t, 1), await statusOf(t, 3), await statusOf(t, 5), await statusOf(t, 7)]).toEqual(['doing', 'cancelled', 'cancelled', 'todo'])
    const retried = await jobs().bulk({ status: 'cancelled' }, 'retry')
    expect(retried).toMatchObject({ matched: 2, applicable: 2, done: 2 })
    expect(await statusOf(t, 3)).toBe('todo')
  })
})
