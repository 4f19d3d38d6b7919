import { body, handler } from '../../../../../lib/api/http.ts'
import { jobIdParams, retryBody } from '../../../../../lib/api/schemas.ts'
import { consoleContext } from '../../../../../lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Body { downstream: true } also re-runs every finished job after it. */
export const POST = handler(async (request, params) => {
  const { id } = jobIdParams.parse(params)
  const { downstream } = await body(request, retryBody)
  return { retried: await (await consoleContext()).jobs.retry(id, { downstream }) }
})
