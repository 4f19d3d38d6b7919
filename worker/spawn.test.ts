// Jobs a running job spawns: deferred with its success, in one transaction with it, each a child
// of it, and waited for by every job that depends on it; nothing spawned by a failure, an abort or
// a killed worker; a retry spawns afresh; at most 10,000 jobs a workflow.
import { afterEach, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { manana } from '../test/processes.ts'
import { until } from '../test/until.ts'
import { createApp, type App } from '../lib/queue/app.ts'
import type { Workflow } from '../lib/queue/defer.ts'
import { Worker, type WorkerOptions } from './worker.ts'

const t = useTestDatabase()
const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()))
})

function startWorker(app: App, options: WorkerOptions = {}) {
  const worker = new Worker(app, { pollInterval: 0.2, heartbeatInterval: 0.2, log: () => {}, ...options })
  const running = worker.run()
  stops.push(async () => {
    worker.stop()
    await running
    await app.close()
  })
  return worker
}

/** A small deterministic random source (a linear congruential generator), for seeds a failure can name. */
function random(seed: number) {
  let state = seed
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return Math.floor(state / 65536) % below // the high bits: the low ones repeat quickly
  }
}

const finished = async () => Number((await t.sql(`SELECT count(*) FILTER (WHERE status NOT IN ('succeeded', 'failed', 'cancelled', 'aborted')) AS n FROM procrastinate_jobs`))[0]!.n) === 0

describe('spawned jobs', () => {
  it('hold back every dependent of their spawner, in random DAGs with random spawns and three workers', async () => {
    // Each run's start and end, in the order this process saw them: a child never starts before a parent ends.
    const seen: Array<{ job: number; event: 'start' | 'end' }> = []
    const build = () => {
      const app = createApp({ databaseUrl: t.url })
      const node = app.task('node', {}, async ({ spawn, depth }: { spawn: number; depth: number }, ctx) => {
        seen.push({ job: ctx.job.id, event: 'start' })
        await new Promise((resolve) => setTimeout(resolve, (ctx.job.id * 7) % 5))
        // Spawned jobs may spawn in turn, two levels deep.
        await ctx.spawnMany(node, Array.from({ length: spawn }, (_, i) => ({ spawn: depth < 2 ? (ctx.job.id + i) % 3 : 0, depth: depth + 1 })), { key: `of${ctx.job.id}` })
        seen.push({ job: ctx.job.id, event: 'end' })
      })
      return app
    }
    for (const seed of [1, 2, 3]) {
      const pick = random(seed)
      const workflow: Workflow = {}
      for (let i = 0; i < 25; i++) {
        const parents = i === 0 ? [] : [...new Set(Array.from({ length: 1 + pick(3) }, () => `n${pick(i)}`))]
        workflow[`n${i}`] = { task: 'node', args: { spawn: pick(4), depth: 0 }, dependsOn: parents }
      }
      const deferrer = build()
      await deferrer.deferWorkflow(workflow)
      await deferrer.close()
      for (let w = 0; w < 3; w++) startWorker(build(), { concurrency: 4 })
      await until(finished, `seed ${seed}: every job finished`, 60)
      await Promise.all(stops.splice(0).map((stop) => stop()))
    }
    const position = new Map(seen.map((entry, i) => [`${entry.job}:${entry.event}`, i]))
    const edges = await t.sql<{ parent: string; child: string }>('SELECT depends_on_job_id AS parent, job_id AS child FROM procrastinate_job_dependencies')
    const spawnedCount = Number((await t.sql(`SELECT count(*) AS n FROM procrastinate_jobs WHERE step_key LIKE 'of%'`))[0]!.n)
    expect(spawnedCount).toBeGreaterThan(50) // the seeds spawn: the property is not vacuous
    for (const { parent, child } of edges) {
      const ended = position.get(`${parent}:end`)
      const started = position.get(`${child}:start`)
      expect({ parent, child, ended, started, before: ended! < started! }).toMatchObject({ before: true })
    }
    // Every dependent of a spawner waits for each job it spawned (spawned jobs' keys name their spawner).
    const has = new Set(edges.map(({ parent, child }) => `${parent}>${child}`))
    const groupBy = <T,>(items: T[], by: (item: T) => string) => {
      const groups = new Map<string, T[]>()
      for (const item of items) groups.set(by(item), [...(groups.get(by(item)) ?? []), item])
      return groups
    }
    const children = groupBy(edges, (edge) => edge.parent)
    const spawned = await t.sql<{ id: string; spawner: string }>(`SELECT id, substring(step_key FROM '^of(\\d+)\\[') AS spawner FROM procrastinate_jobs WHERE step_key LIKE 'of%'`)
    const spawnedBy = groupBy(spawned, (job) => job.spawner)
    let checked = 0
    for (const job of spawned) {
      expect({ job, child: has.has(`${job.spawner}>${job.id}`) }).toMatchObject({ child: true }) // keys are of<spawner>[i]
      const siblings = new Set(spawnedBy.get(job.spawner)!.map((sibling) => sibling.id))
      for (const { child: dependent } of children.get(job.spawner) ?? []) {
        if (siblings.has(dependent)) continue
        checked++
        expect({ spawned: job.id, dependent, waits: has.has(`${job.id}>${dependent}`) }).toMatchObject({ waits: true })
      }
    }
    expect(checked).toBeGreaterThan(50)
    expect(await t.sql(`SELECT id FROM procrastinate_jobs WHERE status <> 'succeeded'`)).toEqual([])
  })

  it('are deferred only with a success: a failure spawns nothing, and its retry spawns afresh', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('piece', {}, () => null)
    app.task('after', {}, () => null)
    app.task('flaky', { retry: 1 }, async (_args, ctx) => {
      await ctx.spawnMany('piece', [{}, {}], { key: 'piece' })
      if (ctx.attempt === 1) throw new Error('first attempt fails after spawning')
    })
    const ids = await app.deferWorkflow({ flaky: { task: 'flaky' }, after: { task: 'after', dependsOn: ['flaky'] } })
    startWorker(app)
    await until(async () => (await t.sql(`SELECT status FROM procrastinate_jobs WHERE id = $1`, [ids.after]))[0]!.status === 'succeeded', 'after ran')
    const pieces = await t.sql<{ id: string; status: string }>(`SELECT id, status FROM procrastinate_jobs WHERE task_name = 'piece' ORDER BY id`)
    expect(pieces.map((piece) => piece.status)).toEqual(['succeeded', 'succeeded']) // two, from the second attempt only
    const edges = await t.sql(`SELECT depends_on_job_id AS parent FROM procrastinate_job_dependencies WHERE job_id = $1 ORDER BY 1`, [ids.after])
    expect(edges.map((edge) => Number(edge.parent))).toEqual([ids.flaky, ...pieces.map((piece) => Number(piece.id))])
  })

  it('from a worker killed before its end is recorded: none exist; the retry on another worker spawns them once', async () => {
    const app = createApp({ databaseUrl: t.url })
    const ids = await app.deferWorkflow({ spawner: { task: 'spawner' }, after: { task: 'after', dependsOn: ['spawner'] } })
    await app.close()
    const env = { MANANA_HEARTBEAT_INTERVAL: '0.5', MANANA_STALE_AFTER: '3' }
    const doomed = manana(t.url, ['worker', '--app', 'test/apps/spawn-app.ts'], env)
    try {
      await until(async () => doomed.output().includes('spawned, now waiting to be killed'), 'the spawner spawned', 30)
    } finally {
      doomed.child.kill('SIGKILL')
      await doomed.exited
    }
    expect(await t.sql(`SELECT id FROM procrastinate_jobs WHERE task_name = 'piece'`)).toEqual([])
    const survivor = manana(t.url, ['worker', '--app', 'test/apps/spawn-app.ts'], env)
    try {
      await until(async () => (await t.sql(`SELECT status FROM procrastinate_jobs WHERE id = $1`, [ids.after]))[0]!.status === 'succeeded', 'after ran', 60)
    } finally {
      survivor.child.kill('SIGTERM')
      await survivor.exited
    }
    const pieces = await t.sql(`SELECT step_key FROM procrastinate_jobs WHERE task_name = 'piece' AND status = 'succeeded' ORDER BY id`)
    expect(pieces.map((piece) => piece.step_key)).toEqual(['piece[0]', 'piece[1]', 'piece[2]'])
  })

  it('fill a workflow to 10,000 jobs at most: one more fails the spawning attempt, spawns nothing, and says why', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('piece', {}, () => null)
    app.task('greedy', {}, async (_args, ctx) => ctx.spawnMany('piece', Array.from({ length: 10_000 }, () => ({}))))
    const ids = await app.deferWorkflow({ greedy: { task: 'greedy' }, after: { task: 'piece', dependsOn: ['greedy'] } })
    const records: string[] = []
    startWorker(app, { logger: (record) => records.push(`${record.event} ${record.message}`) })
    await until(async () => (await t.sql(`SELECT status FROM procrastinate_jobs WHERE id = $1`, [ids.after]))[0]!.status === 'succeeded', 'the dependent ran')
    expect((await t.sql(`SELECT status FROM procrastinate_jobs WHERE id = $1`, [ids.greedy]))[0]!.status).toBe('failed')
    const [failure] = await t.sql(`SELECT message FROM manana_job_errors WHERE job_id = $1`, [ids.greedy])
    expect(failure!.message).toMatch(/spawned were refused: job \d+ spawned 10000 job\(s\): its workflow \d+, which holds 2, would hold more than the 10,000/)
    expect(await t.sql(`SELECT count(*)::int AS n FROM procrastinate_jobs`)).toEqual([{ n: 2 }])
    await until(async () => records.some((record) => record.startsWith('job.spawn_refused')), 'the worker said so')
  })

  it('are refused by SQL unless their spawner runs, and depend on nothing else; items are numbered by SQL', async () => {
    const app = createApp({ databaseUrl: t.url })
    const [id] = await app.defer([{ task: 'x' }])
    await expect(t.sql(`SELECT manana_spawn_jobs($1, '[{"task_name": "y"}]')`, [id])).rejects.toMatchObject({ code: 'job_not_finishable' })
    await t.sql(`UPDATE procrastinate_jobs SET status = 'doing' WHERE id = $1`, [id])
    await expect(t.sql(`SELECT manana_spawn_jobs($1, '[{"task_name": "y", "depends_on": [1]}]')`, [id])).rejects.toMatchObject({ code: 'invalid_job' })
    await expect(t.sql(`SELECT manana_spawn_jobs($1, '[{"task_name": "y", "key": "k", "items_of": "x"}]')`, [id])).rejects.toMatchObject({ code: 'invalid_job' })
    // Items of one key are numbered over the whole call (a task's several spawnMany calls under one key).
    await t.sql(`SELECT manana_spawn_jobs($1, '[{"task_name": "y", "items_of": "x"}, {"task_name": "z", "key": "k"}, {"task_name": "y", "items_of": "x"}]')`, [id])
    expect(await t.sql(`SELECT step_key FROM procrastinate_jobs WHERE spawned_by = $1 ORDER BY id`, [id])).toEqual([{ step_key: 'x[0]' }, { step_key: 'k' }, { step_key: 'x[1]' }])
    await app.close()
  })
})
