// A workflow's graph and timeline are computed once for every viewer asking at the same time,
// then kept until one of its jobs changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { until } from '../../test/until.ts'
import { deferWorkflow } from '../queue/defer.ts'
import { JobManager } from '../queue/job-manager.ts'
import type { Timeline } from '../dag/timeline.ts'
import type { Computing } from './workflow-views.ts'

const t = useTestDatabase()
const saved = process.env.DATABASE_URL

describe('workflow views', () => {
  beforeAll(() => void (process.env.DATABASE_URL = t.url))
  afterAll(async () => {
    const { consoleContext } = await import('./context.ts')
    await (await consoleContext()).pool.end()
    process.env.DATABASE_URL = saved
  })

  it('are computed once for concurrent viewers, kept while nothing changes, and again once a job of the workflow changes', async () => {
    const { consoleContext } = await import('./context.ts')
    const { workflowViews } = await import('./workflow-views.ts')
    const { liveHub } = await import('./live.ts')
    const context = await consoleContext()
    let computed = 0
    const counting: Computing = (compute) => (computed++, compute())
    const heard: unknown[] = []
    liveHub.subscribe((change) => heard.push(change))
    await until(async () => heard.length > 0, 'the live hub listening')

    const ids = await deferWorkflow(t.db, { a: { task: 'a', scheduleIn: 3600 }, b: { task: 'b', dependsOn: ['a'] } })
    const other = await deferWorkflow(t.db, { c: { task: 'c', scheduleIn: 3600 }, d: { task: 'd', dependsOn: ['c'] } })
    await until(async () => heard.length > 1, 'the deferrals announced')

    const timelines = await Promise.all(Array.from({ length: 20 }, () => workflowViews.timeline(context, ids.b, counting)))
    expect(computed).toBe(1)
    expect(new Set(timelines).size).toBe(1)
    expect((JSON.parse(timelines[0]!.text) as Timeline).jobs.map((job) => job.status)).toEqual(['todo', 'todo'])
    await Promise.all(Array.from({ length: 20 }, () => workflowViews.graph(context, ids.b, counting)))
    expect(computed).toBe(2)

    // Another workflow's change keeps them; kept, they are served without computing.
    const heardBefore = heard.length
    await new JobManager(t.db).cancel(other.c)
    await until(async () => heard.length > heardBefore, 'the other workflow changing')
    await workflowViews.timeline(context, ids.b, counting)
    expect(computed).toBe(2)

    // A change of one of its jobs: computed again, showing it.
    await new JobManager(t.db).cancel(ids.a)
    const statusOfA = async () => (JSON.parse((await workflowViews.timeline(context, ids.b, counting))!.text) as Timeline).jobs[0]!.status
    await until(async () => (await statusOfA()) === 'cancelled', 'the cancel shown')
    expect(computed).toBe(3)

    // A job that does not exist is not an error kept for others: each asks again once it failed.
    await expect(workflowViews.graph(context, 999_999, () => Promise.reject(new Error('database gone')))).rejects.toThrow('database gone')
    expect(await workflowViews.graph(context, 999_999, counting)).toBeUndefined()
  })

  it('are computed one at a time: requests that follow changes heard meanwhile share the next computation', async () => {
    const { consoleContext } = await import('./context.ts')
    const { workflowViews } = await import('./workflow-views.ts')
    const { liveHub } = await import('./live.ts')
    const context = await consoleContext()
    let heard = 0
    liveHub.subscribe(() => heard++)
    const ids = await deferWorkflow(t.db, { e: { task: 'e', scheduleIn: 3600 }, f: { task: 'f', dependsOn: ['e'] } })
    await until(async () => heard > 0, 'the deferral announced')

    let computed = 0
    let running = 0
    let most = 0
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const slow: Computing = async (compute) => {
      computed++
      most = Math.max(most, ++running)
      try {
        await gate
        return await compute()
      } finally {
        running--
      }
    }
    const views = [workflowViews.graph(context, ids.f, slow)]
    // A busy queue: other jobs change while it is computed, and each change makes the page ask again.
    for (let i = 0; i < 3; i++) {
      const before = heard
      await deferWorkflow(t.db, { [`other${i}`]: { task: 'other', scheduleIn: 3600 } })
      await until(async () => heard > before, `change ${i} heard`)
      views.push(workflowViews.graph(context, ids.f, slow))
    }
    release()
    const [first, ...next] = await Promise.all(views)
    expect(most).toBe(1)
    expect(computed).toBe(2)
    expect(new Set(next).size).toBe(1)
    expect(next[0]).not.toBe(first)
  })
})
