// The graph of a job's workflow: its jobs, the parents outside it (external, without their own
// parents), the edges between them, each job's latest attempt; a job alone is its own graph.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { Worker } from '../../worker/worker.ts'
import { createApp } from '../queue/app.ts'
import { workflowGraph } from './graph.ts'

const t = useTestDatabase()

describe('workflowGraph', () => {
  it('holds the workflow, its external parents marked and cut from their own parents, and every edge once', async () => {
    const app = createApp({ pool: t.pool })
    const ids = await app.deferWorkflow({ a: { task: 'step' }, b: { task: 'step', dependsOn: ['a'] } })
    const upstream = await app.deferWorkflow({ first: { task: 'outside' }, second: { task: 'outside', dependsOn: ['first'] } })
    // Onto parents of two workflows, a job joins the first: `second` stays in its own, external here.
    const { c } = await app.deferWorkflow({ c: { task: 'step', dependsOn: [ids.a, ids.b, upstream.second] } })
    const graph = (await workflowGraph(t.db, ids.b))!
    const [a] = await t.sql<{ workflow_id: string }>('SELECT workflow_id FROM procrastinate_jobs WHERE id = $1', [ids.a])
    expect(graph.workflowId).toBe(Number(a!.workflow_id))
    expect(graph.nodes.map((node) => [node.id, node.external])).toEqual([
      [ids.a, false],
      [ids.b, false],
      [upstream.second, true],
      [c, false],
    ])
    expect(graph.edges.sort()).toEqual(
      [
        [ids.a, ids.b],
        [ids.a, c],
        [ids.b, c],
        [upstream.second, c],
      ].sort(),
    )
    expect(graph.nodes[2]).toMatchObject({ task: 'outside', status: 'todo', queue: 'default', attempts: 0, startedAt: null, ranMs: null })
  })

  it("gives a job alone as its own graph, each node's latest attempt, and nothing for a job that does not exist", async () => {
    const app = createApp({ pool: t.pool })
    app.task('alone', {}, async () => null)
    const [id] = await app.defer([{ task: 'alone' }])
    await new Worker(app, { once: true, log: () => {} }).run()
    const graph = (await workflowGraph(t.db, id!))!
    expect(graph).toMatchObject({ workflowId: null, workflowName: null, edges: [] })
    expect(graph.nodes).toEqual([
      { id, task: 'alone', step: null, status: 'succeeded', queue: 'default', external: false, attempts: 1, startedAt: expect.any(String), ranMs: expect.any(Number) },
    ])
    expect((await workflowGraph(t.db, id!, { lastAttempts: false }))!.nodes[0]).toMatchObject({ startedAt: null, ranMs: null })
    expect(await workflowGraph(t.db, id! + 1000)).toBeUndefined()
  })
})

describe('workflowTimeline', () => {
  it('shows a job scheduled ahead as waiting for its time, not its parents, and keeps it off the critical path of a running workflow', async () => {
    const { workflowTimeline } = await import('./timeline.ts')
    const app = createApp({ pool: t.pool })
    const ids = await app.deferWorkflow({ later: { task: 'step', scheduleIn: 3600 }, after: { task: 'step', dependsOn: ['later'] } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const timeline = (await workflowTimeline(t.db, ids.later))!
    const [later, after] = timeline.jobs
    expect(later!.segments.map(([kind]) => kind)).toEqual(['scheduled'])
    expect(after!.segments.map(([kind]) => kind)).toEqual(['parents'])
    expect(timeline.end).toBeNull()
    expect(timeline.criticalPath).toEqual([])
  })

  it('reads the events of a job alone, and of a parent outside the workflow', async () => {
    const { workflowTimeline } = await import('./timeline.ts')
    const app = createApp({ pool: t.pool })
    const run = async (queue: string, id: number) => {
      expect(await t.sql(`SELECT id FROM manana_fetch_jobs($1, NULL, 1)`, [[queue]])).toEqual([{ id: String(id) }])
      await t.sql(`SELECT manana_finish_job($1, 'succeeded', NULL, false)`, [id])
    }
    const [lone] = await app.defer([{ task: 'lone', queue: 'lone' }])
    await run('lone', lone!)
    const alone = (await workflowTimeline(t.db, lone!))!
    expect(alone.workflowId).toBeNull()
    expect(alone.jobs.map((job) => [job.id, job.segments.map(([kind]) => kind)])).toEqual([[lone, ['queued', 'running']]])
    // A job joining one workflow with a parent of another: that parent is drawn, external, with its times.
    const { a } = await app.deferWorkflow({ a: { task: 'x', queue: 'two' } })
    const { b } = await app.deferWorkflow({ b: { task: 'x', queue: 'two' } })
    const { c } = await app.deferWorkflow({ c: { task: 'y', queue: 'two', dependsOn: [a!, b!] } })
    await run('two', a!)
    await run('two', b!)
    const timeline = (await workflowTimeline(t.db, c!))!
    const byId = new Map(timeline.jobs.map((job) => [job.id, job]))
    expect(byId.get(b!)).toMatchObject({ external: true, status: 'succeeded' })
    expect(byId.get(b!)!.end).not.toBeNull()
    // c waited for its parents until the later one ended (b's, read from b's events), then for a worker.
    expect(byId.get(c!)!.segments.map(([kind]) => kind)).toEqual(['parents', 'queued'])
    expect(byId.get(c!)!.segments[0]![2]).toBe(byId.get(b!)!.end)
  })

  it("puts a job's events in the order they were written, whatever order the table holds them in", async () => {
    const { workflowTimeline } = await import('./timeline.ts')
    const app = createApp({ pool: t.pool })
    const [id] = await app.defer([{ task: 'stored', queue: 'stored' }])
    // Its end is stored before its start (numbered after it), as rows reused space can be.
    await t.sql(
      `INSERT INTO procrastinate_events (id, job_id, type, at) VALUES
         (nextval('procrastinate_events_id_seq') + 10, $1, 'succeeded', now() + interval '2 seconds'),
         (currval('procrastinate_events_id_seq') + 5, $1, 'started', now() + interval '1 second')`,
      [id],
    )
    const [job] = (await workflowTimeline(t.db, id!))!.jobs
    const [queued, running] = job!.segments
    expect([queued![0], running![0]]).toEqual(['queued', 'running'])
    // Queued until it started, a second before it ended.
    expect(queued![2]).toBe(running![1])
    expect(job!.end! - running![1]).toBeCloseTo(1000, 0)
  })

  it('writes its times to the microsecond, without the noise of subtracting epoch times', async () => {
    const { workflowTimeline } = await import('./timeline.ts')
    const app = createApp({ pool: t.pool })
    const ids = await app.deferWorkflow({ first: { task: 'exact', queue: 'exact' }, second: { task: 'exact', queue: 'exact', dependsOn: ['first'] } })
    // Claimed and ended as a worker does, each at its own microsecond.
    for (const id of [ids.first, ids.second]) {
      expect(await t.sql(`SELECT id FROM manana_fetch_jobs('{exact}', NULL, 1)`)).toEqual([{ id: String(id) }])
      await t.sql(`SELECT manana_finish_job($1, 'succeeded', NULL, false)`, [id])
    }
    const timeline = (await workflowTimeline(t.db, ids.second))!
    const numbers = JSON.stringify(timeline).match(/-?\d+\.\d+/g) ?? []
    expect(numbers.length).toBeGreaterThan(4)
    for (const number of numbers) expect(number).toMatch(/\.\d{1,3}$/)
    // The critical path's shares add up to the workflow's duration, exactly.
    expect(timeline.criticalPath.map((step) => step.id)).toEqual([ids.first, ids.second])
    expect(Math.round(timeline.criticalPath.reduce((sum, step) => sum + step.share, 0) * 1000)).toBe(Math.round(timeline.end! * 1000))
  })
})
