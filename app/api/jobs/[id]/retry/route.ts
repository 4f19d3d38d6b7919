import { body, handler } from '@/lib/api/http.ts'
import { jobIdParams, retryBody } from '@/lib/api/schemas.ts'
import { retryJob } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Body { downstream: true } also re-runs every finished job after it. */
export const POST = handler<'POST /api/jobs/{id}/retry'>('operator', async (request, { params, audit }) => {
  const { id } = jobIdParams.parse(params)
  const { downstream } = await body(request, retryBody)
  return { retried: await retryJob({ pool: (await consoleContext()).pool, audit }, id, downstream) }
})
