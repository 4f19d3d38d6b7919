import { body, handler, query, respond } from '@/lib/api/http.ts'
import { runWorkflowBody, workflowListQuery } from '@/lib/api/schemas.ts'
import { runWorkflowDefinition } from '@/lib/console/actions.ts'
import { listWorkflows } from '@/lib/console/catalog.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { hideRunInputs, valuesHiddenFrom } from '@/lib/console/values.ts'

export const dynamic = 'force-dynamic'

/** Workflows, newest first: ?name=PREFIX&status=&range=15m|1h|24h|7d (or from=&to=, when they began)&limit=&after= */
export const GET = handler<'GET /api/workflows'>('viewer', async (request, { actor }) => {
  const context = await consoleContext()
  const page = await listWorkflows(context, query(request, workflowListQuery))
  return (await valuesHiddenFrom(context.db, actor)) ? { ...page, workflows: hideRunInputs(page.workflows) } : page
})

/** Runs a workflow definition with { name, input }: a worker that defines it defers the run. */
export const POST = handler<'POST /api/workflows'>('operator', async (request, { audit }) => {
  const { name, input } = await body(request, runWorkflowBody)
  return respond(await runWorkflowDefinition({ pool: (await consoleContext()).pool, audit }, name, input), { status: 201 })
})
