import { asHeavyRequest } from '@/lib/api/heavy-requests.ts'
import { handler, respondWithJson } from '@/lib/api/http.ts'
import { jobIdParams } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { workflowViews } from '@/lib/console/workflow-views.ts'
import { ManaError } from '@/lib/queue/errors.ts'

export const dynamic = 'force-dynamic'

/** Where the job's workflow's time went: each job's spans, and the critical path. */
export const GET = handler<'GET /api/jobs/{id}/timeline'>('viewer', async (request, { params, actor }) => {
  const { id } = jobIdParams.parse(params)
  const timeline = await workflowViews.timeline(await consoleContext(), id, (compute) => asHeavyRequest(actor, compute))
  if (!timeline) throw new ManaError('job_not_found', `job ${id} does not exist`)
  return respondWithJson(timeline, request)
})
