import { handler } from '../../../../../lib/api/http.ts'
import { jobIdParams } from '../../../../../lib/api/schemas.ts'
import { consoleContext } from '../../../../../lib/console/context.ts'
import { workflowTimeline } from '../../../../../lib/dag/timeline.ts'
import { ManaError } from '../../../../../lib/queue/errors.ts'

export const dynamic = 'force-dynamic'

/** Where the job's workflow's time went: each job's spans, and the critical path. */
export const GET = handler<'GET /api/jobs/{id}/timeline'>('viewer', async (_request, { params }) => {
  const { id } = jobIdParams.parse(params)
  const timeline = await workflowTimeline((await consoleContext()).db, id)
  if (!timeline) throw new ManaError('job_not_found', `job ${id} does not exist`)
  return timeline
})
