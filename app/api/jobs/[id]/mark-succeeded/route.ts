import { body, handler } from '@/lib/api/http.ts'
import { jobIdParams, markSucceededBody } from '@/lib/api/schemas.ts'
import { markJobSucceeded } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Body { result }: a job that failed, was aborted or cancelled becomes succeeded with that result; answers the jobs that run again for it. */
export const POST = handler<'POST /api/jobs/{id}/mark-succeeded'>('operator', async (request, { params, audit }) => {
  const { id } = jobIdParams.parse(params)
  const { result } = await body(request, markSucceededBody)
  return { reopened: await markJobSucceeded({ pool: (await consoleContext()).pool, audit }, id, result ?? null) }
})
