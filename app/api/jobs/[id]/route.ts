import { handler } from '../../../../lib/api/http.ts'
import { jobIdParams } from '../../../../lib/api/schemas.ts'
import { consoleContext } from '../../../../lib/console/context.ts'
import { getJobDetail } from '../../../../lib/console/job-detail.ts'

export const dynamic = 'force-dynamic'

export const GET = handler(async (_request, params) => getJobDetail(await consoleContext(), jobIdParams.parse(params).id))

export const DELETE = handler(async (_request, params) => {
  const { id } = jobIdParams.parse(params)
  await (await consoleContext()).jobs.delete(id)
  return { id, deleted: true }
})
