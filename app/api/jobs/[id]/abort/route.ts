import { handler } from '../../../../../lib/api/http.ts'
import { jobIdParams } from '../../../../../lib/api/schemas.ts'
import { consoleContext } from '../../../../../lib/console/context.ts'

export const dynamic = 'force-dynamic'

export const POST = handler(async (_request, params) => {
  const { id } = jobIdParams.parse(params)
  const { jobs } = await consoleContext()
  await jobs.abort(id)
  return jobs.get(id)
})
