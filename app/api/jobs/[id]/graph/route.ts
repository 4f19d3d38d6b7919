import { asHeavyRequest } from '@/lib/api/heavy-requests.ts'
import { handler, respondWithJson } from '@/lib/api/http.ts'
import { jobIdParams } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { workflowViews } from '@/lib/console/workflow-views.ts'
import { ManaError } from '@/lib/queue/errors.ts'

export const dynamic = 'force-dynamic'

/** The job's workflow as nodes and [parent, child] edges. */
export const GET = handler<'GET /api/jobs/{id}/graph'>('viewer', async (request, { params, actor }) => {
  const { id } = jobIdParams.parse(params)
  const graph = await workflowViews.graph(await consoleContext(), id, (compute) => asHeavyRequest(actor, compute))
  if (!graph) throw new ManaError('job_not_found', `job ${id} does not exist`)
  return respondWithJson(graph, request)
})
