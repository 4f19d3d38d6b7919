// Workflows by name: named when deferred, listed with their status and times, found by name.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { runNext } from '../../test/jobs.ts'
import { deferJobs, deferWorkflow } from '../queue/defer.ts'
import { listWorkflows } from './catalog.ts'
import type { ConsoleContext } from './context.ts'

const t = useTestDatabase()
const list = (name?: string) => listWorkflows(t as unknown as ConsoleContext, { limit: 25, name })

describe('workflows', () => {
  it('are named when deferred; jobs deferred onto them later keep that name', async () => {
    const ids = await deferWorkflow(t.db, { a: { task: 'extract' }, b: { task: 'load', dependsOn: ['a'] } }, { name: 'nightly_etl 100%' })
    await deferJobs(t.db, [{ task: 'late', dependsOn: [ids.b] }], { name: 'not a new workflow' })
    await deferWorkflow(t.db, { x: { task: 'extract' }, y: { task: 'load', dependsOn: ['x'] } })
    expect((await list()).workflows.map((workflow) => workflow.name)).toEqual(['x', 'nightly_etl 100%'])
    await expect(deferWorkflow(t.db, { a: { task: 'x' }, b: { task: 'x', dependsOn: ['a'] } }, { name: 'n'.repeat(201) })).rejects.toMatchObject({ code: 'invalid_job' })
  })

  it('are found by the start of their name, wildcards taken literally', async () => {
    await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name: 'nightly_etl' })
    await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name: 'nightlyXetl' })
    await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name: 'weekly' })
    expect((await list('nightly_')).workflows.map((workflow) => workflow.name)).toEqual(['nightly_etl'])
    expect((await list('nightly')).workflows.map((workflow) => workflow.name)).toEqual(['nightlyXetl', 'nightly_etl'])
  })

  it('say whether they run, failed or succeeded, and when they ended', async () => {
    await deferWorkflow(t.db, { a: { task: 'a' }, b: { task: 'b', dependsOn: ['a'] } }, { name: 'w' })
    expect((await list()).workflows[0]).toMatchObject({ status: 'running', endedAt: null })
    await runNext(t, 'succeeded')
    await runNext(t, 'failed')
    const [workflow] = (await list()).workflows
    expect(workflow).toMatchObject({ status: 'failed', counts: { succeeded: 1, failed: 1 } })
    expect(Date.parse(workflow!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(workflow!.createdAt))
  })
})
