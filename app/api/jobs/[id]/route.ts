import { handler } from '@/lib/api/http.ts'
import { jobIdParams } from '@/lib/api/schemas.ts'
import { deleteJob } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { getJobDetail } from '@/lib/console/job-detail.ts'
import { hideDetailValues, valuesHiddenFrom } from '@/lib/console/values.ts'

export const dynamic = 'force-dynamic'

export const GET = handler<'GET /api/jobs/{id}'>('viewer', async (_request, { params, actor }) => {
  const context = await consoleContext()
  const detail = await getJobDetail(context, jobIdParams.parse(params).id)
  return (await valuesHiddenFrom(context.db, actor)) ? hideDetailValues(detail) : detail
})

export const DELETE = handler<'DELETE /api/jobs/{id}'>('admin', async (_request, { params, audit }) => {
  const { id } = jobIdParams.parse(params)
  await deleteJob({ pool: (await consoleContext()).pool, audit }, id)
  return { id, deleted: true }
})
