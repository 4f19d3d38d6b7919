import { body, handler } from '@/lib/api/http.ts'
import { runWorkflowBody } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { previewWorkflow } from '@/lib/console/workflow-runs.ts'

export const dynamic = 'force-dynamic'

/** The jobs a run of { name, input } would defer (the first 500), with their edges, and how many; nothing is deferred. */
export const POST = handler<'POST /api/workflows/preview'>('operator', async (request) => {
  const { name, input } = await body(request, runWorkflowBody)
  return previewWorkflow((await consoleContext()).db, name, input)
})
