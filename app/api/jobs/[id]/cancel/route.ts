import { handler } from '@/lib/api/http.ts'
import { jobIdParams } from '@/lib/api/schemas.ts'
import { cancelJob } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

export const POST = handler<'POST /api/jobs/{id}/cancel'>('operator', async (_request, { params, audit }) => {
  const { id } = jobIdParams.parse(params)
  const { pool, jobs } = await consoleContext()
  await cancelJob({ pool, audit }, id)
  return jobs.getExisting(id)
})
