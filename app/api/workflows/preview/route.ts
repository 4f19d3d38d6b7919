import { body, handler } from '../../../../lib/api/http.ts'
import { runWorkflowBody } from '../../../../lib/api/schemas.ts'
import { consoleContext } from '../../../../lib/console/context.ts'
import { previewWorkflow } from '../../../../lib/console/workflow-runs.ts'

export const dynamic = 'force-dynamic'

/** The jobs a run of { name, input } would defer, with their edges; nothing is deferred. */
export const POST = handler<'POST /api/workflows/preview'>('operator', async (request) => {
  const { name, input } = await body(request, runWorkflowBody)
  return { jobs: await previewWorkflow((await consoleContext()).db, name, input) }
})
