import { describe, expect, it } from 'vitest'
import pg from 'pg'
import { useTestDatabase } from '../../test/database.ts'
import { miscountedJobs } from '../../test/jobs.ts'
import { createApp } from './app.ts'
import { deferJobs } from './defer.ts'
import { ManaError } from './errors.ts'
import { Worker } from '../../worker/worker.ts'

const t = useTestDatabase()

async function counts() {
  const [row] = await t.sql(`SELECT (SELECT count(*) FROM procrastinate_jobs)::int AS jobs,
                                    (SELECT count(*) FROM procrastinate_job_dependencies)::int AS edges,
                                    (SELECT count(*) FROM procrastinate_events)::int AS events`)
  return row
}

async function expectError(promise: Promise<unknown>, code: string, message?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (e) => e,
  )
  expect(error, `expected ${code}`).toBeInstanceOf(ManaError)
  expect(error.code).toBe(code)
  if (message) expect(error.message).toMatch(message)
  // All or nothing: a refused defer writes nothing.
  expect(await counts()).toEqual({ jobs: 0, edges: 0, events: 0 })
}

describe('defer', () => {
  it('defers one job with its options through a task', async () => {
    const app = createApp({ pool: t.pool })
    const report = app.task('generate_report', { queue: 'reports', priority: 3 }, async () => null)
    const id = await report.configure({ lock: 'L', queueingLock: 'Q', scheduleIn: { minutes: 5 } }).defer({ user_id: 42 })
    const job = await app.jobs.get(id)
    expect(job).toMatchObject({
      id,
      task: 'generate_report',
      queue: 'reports',
      priority: 3,
      lock: 'L',
      queueingLock: 'Q',
      args: { user_id: 42 },
      status: 'todo',
      attempts: 0,
      unfinishedParents: 0,
    })
    const delay = job!.scheduledAt!.getTime() - Date.now()
    expect(delay).toBeGreaterThan(4 * 60_000)
    expect(delay).toBeLessThanOrEqual(5 * 60_000)
  })

  it("gives a workflow's jobs their task's queue and priority unless they set their own", async () => {
    const app = createApp({ pool: t.pool })
    app.task('io_task', { queue: 'io', priority: 7 }, async () => null)
    const ids = await app.deferWorkflow({ a: { task: 'io_task' }, b: { task: 'io_task', queue: 'other', dependsOn: ['a'] }, c: { task: 'unknown' } })
    expect(await app.jobs.get(ids.a)).toMatchObject({ queue: 'io', priority: 7 })
    expect(await app.jobs.get(ids.b)).toMatchObject({ queue: 'other', priority: 7 })
    expect(await app.jobs.get(ids.c)).toMatchObject({ queue: 'default', priority: 0 })
  })

  it('defers a workflow whose jobs name each other by key, and existing jobs by id', async () => {
    const app = createApp({ pool: t.pool })
    const [existing] = await app.defer([{ task: 'seed' }])
    const ids = await app.deferWorkflow({
      download: { task: 'download_data', args: { url: 'x' }, dependsOn: [existing!] },
      process: { task: 'process_data', dependsOn: ['download'] },
      report: { task: 'generate_report', dependsOn: ['process', 'download', existing!] },
    })
    expect(Object.keys(ids)).toEqual(['download', 'process', 'report'])
    const edges = await t.sql(
      'SELECT job_id::int AS child, depends_on_job_id::int AS parent FROM procrastinate_job_dependencies ORDER BY 1, 2',
    )
    expect(edges).toEqual(
      [
        { child: ids.download, parent: existing },
        { child: ids.process, parent: ids.download },
        { child: ids.report, parent: existing },
        { child: ids.report, parent: ids.download },
        { child: ids.report, parent: ids.process },
      ].sort((a, b) => a.child - b.child || a.parent! - b.parent!),
    )
    expect((await app.jobs.get(ids.report))!.unfinishedParents).toBe(3)
  })

  it("keeps each workflow job's key as its step (none for a job deferred without one)", async () => {
    const app = createApp({ pool: t.pool })
    const [alone] = await app.defer([{ task: 'seed' }])
    const ids = await app.deferWorkflow({ get: { task: 'download_data', args: { url: 'x' } }, use: { task: 'process_data', dependsOn: ['get'] } })
    const job = (id: number) => app.jobs.get(id)
    expect([(await job(alone!))!.step, (await job(ids.get))!.step, (await job(ids.use))!.step]).toEqual([null, 'get', 'use'])
    expect(await t.sql('SELECT step_key FROM procrastinate_jobs ORDER BY id')).toEqual([{ step_key: null }, { step_key: 'get' }, { step_key: 'use' }])
  })

  it('accepts keys listed after the jobs that depend on them', async () => {
    const ids = await deferJobs(t.db, [
      { key: 'c', task: 't', dependsOn: ['b'] },
      { key: 'b', task: 't', dependsOn: ['a'] },
      { key: 'a', task: 't' },
    ])
    const [row] = await t.sql('SELECT unfinished_parents FROM procrastinate_jobs WHERE id = $1', [ids[0]])
    expect(row!.unfinished_parents).toBe(1)
  })

  it('collapses duplicate parents into one edge', async () => {
    const [parent] = await deferJobs(t.db, [{ task: 'p' }])
    const [child] = await deferJobs(t.db, [{ task: 'c', dependsOn: [parent!, parent!] }])
    const edges = await t.sql('SELECT * FROM procrastinate_job_dependencies WHERE job_id = $1', [child])
    expect(edges).toHaveLength(1)
    const [row] = await t.sql('SELECT unfinished_parents FROM procrastinate_jobs WHERE id = $1', [child])
    expect(row!.unfinished_parents).toBe(1)
  })

  it('refuses an unknown parent key', async () => {
    await expectError(deferJobs(t.db, [{ key: 'a', task: 'x', dependsOn: ['nope'] }]), 'unknown_parent_key', /nope/)
  })

  it('refuses a key used twice', async () => {
    await expectError(
      deferJobs(t.db, [
        { key: 'a', task: 'x' },
        { key: 'a', task: 'y' },
      ]),
      'duplicate_key',
    )
  })

  it('refuses a cycle among keys, and a job depending on itself', async () => {
    await expectError(
      deferJobs(t.db, [
        { key: 'a', task: 'x', dependsOn: ['c'] },
        { key: 'b', task: 'x', dependsOn: ['a'] },
        { key: 'c', task: 'x', dependsOn: ['b'] },
        { key: 'd', task: 'x' },
      ]),
      'dependency_cycle',
      /a, b, c/,
    )
    await expectError(deferJobs(t.db, [{ key: 'a', task: 'x', dependsOn: ['a'] }]), 'dependency_cycle')
  })

  it('refuses arguments that are not a JSON object', async () => {
    for (const args of [[1, 2], 'text', 42, true]) {
      await expectError(deferJobs(t.db, [{ task: 'x', args: args as never }]), 'invalid_args')
    }
  })

  it('refuses what PostgreSQL cannot store or JavaScript would misread: NUL, lone surrogates, __proto__ keys', async () => {
    const refused = [
      { task: 'x', args: { note: 'a\u0000b' } },
      { task: 'x', args: { note: 'half a pair: \ud800' } },
      { task: 'x', args: JSON.parse('{"nested": {"__proto__": {"admin": true}}}') },
      { task: 'x\u0000', args: {} },
      { task: 'x', lock: '\udc00', args: {} },
    ]
    for (const job of refused) await expect(deferJobs(t.db, [job])).rejects.toMatchObject({ code: 'invalid_args' })
    await expect(deferJobs(t.db, [{ task: 'x', args: JSON.parse('{"__proto__": 1}') }])).rejects.toThrow('job 0.args.__proto__: the key __proto__ is not allowed')
    expect(await counts()).toEqual({ jobs: 0, edges: 0, events: 0 })
    // A filter on __proto__ would match every job: refused too.
    await deferJobs(t.db, [{ task: 'x', args: { a: 1 } }])
    const jobs = createApp({ pool: t.pool }).jobs
    await expect(jobs.list({ args: JSON.parse('{"__proto__": "x"}') })).rejects.toMatchObject({ code: 'invalid_args' })
    await expect(jobs.bulk({ args: JSON.parse('{"__proto__": "x"}') }, 'cancel')).rejects.toMatchObject({ code: 'invalid_args' })
    await expect(jobs.list({ task: 'x\u0000' })).rejects.toMatchObject({ code: 'invalid_args' })
  })

  it('refuses a queue name whose notification channel would not fit PostgreSQL\'s 63 bytes, for every writer', async () => {
    await expect(deferJobs(t.db, [{ task: 'x', queue: 'q'.repeat(41) }])).rejects.toMatchObject({ code: 'invalid_job', message: expect.stringContaining('at most 40 bytes') })
    await expect(deferJobs(t.db, [{ task: 'x', queue: 'ñ'.repeat(21) }])).rejects.toMatchObject({ code: 'invalid_job' }) // 42 bytes
    const python = t.sql(`SELECT procrastinate_defer_jobs_v1(ARRAY[ROW($1, 'x', 0, NULL, NULL, '{}', NULL)::procrastinate_job_to_defer_v1])`, ['q'.repeat(41)])
    await expect(python).rejects.toMatchObject({ code: 'invalid_job' })
    expect(await counts()).toEqual({ jobs: 0, edges: 0, events: 0 })
    expect(await deferJobs(t.db, [{ task: 'x', queue: 'q'.repeat(40) }])).toEqual([expect.any(Number)])
    expect(() => new Worker(createApp({ pool: t.pool }), { queues: ['q'.repeat(41)] })).toThrow('at most 40 bytes')
  })

  it('refuses malformed jobs with a message naming the job and the field', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ task: '' }, /task_name/],
      [{ task: 'x'.repeat(129) }, /task_name/],
      [{ task: 'x', priority: 1.5 }, /priority/],
      [{ task: 'x', priority: 2 ** 31 }, /priority/],
      [{ task: 'x', queue: '' }, /queue_name/],
      [{ task: 'x', scheduledAt: 'next tuesdayish' }, /scheduled_at/],
      [{ task: 'x', scheduleIn: -5 }, /schedule_in/],
      [{ task: 'x', dependsOn: [1.5] }, /depends_on/],
      [{ task: 'x', dependsOn: [0] }, /depends_on/],
      [{ task: 'x', dependsOn: [''] }, /depends_on/],
    ]
    for (const [job, message] of bad) {
      await expectError(deferJobs(t.db, [{ key: 'k', ...(job as object) } as never]), 'invalid_job', message)
    }
    await expectError(t.db.query(`SELECT * FROM manana_defer_jobs('[{"task_name":"x","dependsOn":[1]}]')`), 'invalid_job', /dependsOn/)
    await expectError(t.db.query(`SELECT * FROM manana_defer_jobs('{}')`), 'invalid_job')
    await expectError(t.db.query(`SELECT * FROM manana_defer_jobs('[]')`), 'invalid_job')
  })

  it('refuses a queueing-lock clash, within a call and with a waiting job, and writes nothing', async () => {
    await expectError(
      deferJobs(t.db, [
        { task: 'x', queueingLock: 'only-one' },
        { task: 'y', queueingLock: 'only-one' },
      ]),
      'queueing_lock_taken',
      /only-one/,
    )
    await deferJobs(t.db, [{ task: 'x', queueingLock: 'only-one' }])
    const error = await deferJobs(t.db, [{ task: 'z' }, { task: 'x', queueingLock: 'only-one' }]).catch((e) => e)
    expect(error.code).toBe('queueing_lock_taken')
    expect(await counts()).toMatchObject({ jobs: 1 })
  })

  it('defers a 10,000-job DAG in one call', async () => {
    const workflow: Record<string, { task: string; dependsOn?: string[] }> = {}
    for (let i = 0; i < 10_000; i++) {
      workflow[`n${i}`] = { task: 'step', dependsOn: i === 0 ? [] : [`n${Math.floor((i - 1) / 2)}`] }
    }
    const app = createApp({ pool: t.pool })
    const ids = await app.deferWorkflow(workflow)
    expect(Object.keys(ids)).toHaveLength(10_000)
    expect(await counts()).toMatchObject({ jobs: 10_000, edges: 9_999 })
    const [ready] = await t.sql(`SELECT count(*)::int AS n FROM procrastinate_jobs WHERE unfinished_parents = 0`)
    expect(ready!.n).toBe(1)
  })

  it('reads the jobs table a bounded number of times per call, whatever its statistics say, and counts ended parents out', async () => {
    // 20,000 jobs the planner has no statistics for (never analyzed): a count of unfinished
    // parents taken per job once chose to read the whole table for each job of the call.
    await t.sql(`INSERT INTO procrastinate_jobs (queue_name, task_name) SELECT 'default', 'old' FROM generate_series(1, 20000)`)
    const [done, waiting] = await deferJobs(t.db, [{ task: 'old' }, { task: 'old' }])
    await t.sql(`UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = $1`, [done])
    const jobs = Array.from({ length: 1000 }, (_, i) => ({
      key: `n${i}`,
      task_name: 'step',
      depends_on: i === 0 ? [done, waiting] : [`n${Math.floor(i / 2)}`, `n${Math.floor(i / 3)}`].filter((key) => key !== `n${i}`),
    }))
    const client = new pg.Client({ connectionString: t.url })
    await client.connect()
    await client.query('BEGIN')
    await client.query('SELECT count(*) FROM manana_defer_jobs($1::jsonb)', [JSON.stringify(jobs)])
    const { rows } = await client.query(`SELECT seq_scan::int FROM pg_stat_xact_user_tables WHERE relname = 'procrastinate_jobs'`)
    await client.query('COMMIT')
    await client.end()
    expect(rows[0].seq_scan).toBeLessThanOrEqual(5)
    const [root] = await t.sql(`SELECT unfinished_parents FROM procrastinate_jobs WHERE task_name = 'step' ORDER BY id LIMIT 1`)
    expect(root).toEqual({ unfinished_parents: 1 }) // waiting, not done
    expect(await miscountedJobs(t)).toEqual([])
  })

  it('a parent finishing or retried while children are deferred onto it never leaves a count wrong', async () => {
    const deferring = new pg.Client({ connectionString: t.url })
    const finishing = new pg.Client({ connectionString: t.url })
    await Promise.all([deferring.connect(), finishing.connect()])
    try {
      for (let round = 0; round < 40; round++) {
        const [parent] = await deferJobs(t.db, [{ task: 'p' }])
        await t.sql(`UPDATE procrastinate_jobs SET status = 'doing' WHERE id = $1`, [parent])
        const nodes = JSON.stringify(Array.from({ length: 20 }, () => ({ task_name: 'c', depends_on: [parent] })))
        await Promise.all([
          deferring.query('SELECT * FROM manana_defer_jobs($1)', [nodes]),
          finishing.query(`SELECT manana_finish_job($1, 'failed', NULL, false)`, [parent]).then(() =>
            round % 2 ? finishing.query('SELECT manana_retry_job($1, false)', [parent]) : undefined,
          ),
        ])
      }
      expect(await miscountedJobs(t)).toEqual([])
    } finally {
      await Promise.all([deferring.end(), finishing.end()])
    }
  })

  it('records workflows: a DAG is one, a job deferred onto its jobs joins it, a lone job has none', async () => {
    const app = createApp({ pool: t.pool })
    const [lone] = await app.defer([{ task: 'alone' }])
    const dag = await app.deferWorkflow({ extract: { task: 'extract' }, load: { task: 'load', dependsOn: ['extract'] } })
    const [late] = await app.defer([{ task: 'audit', dependsOn: [dag.load] }])
    const workflows = await t.sql('SELECT id::int, name, root_task_name FROM manana_workflows')
    expect(workflows).toEqual([{ id: 1, name: 'extract', root_task_name: 'extract' }])
    const jobs = await t.sql('SELECT id::int, workflow_id::int FROM procrastinate_jobs ORDER BY id')
    expect(jobs).toEqual([
      { id: lone, workflow_id: null },
      { id: dag.extract, workflow_id: 1 },
      { id: dag.load, workflow_id: 1 },
      { id: late, workflow_id: 1 },
    ])
    expect((await app.jobs.get(late!))!.workflowId).toBe(1)
  })
})
