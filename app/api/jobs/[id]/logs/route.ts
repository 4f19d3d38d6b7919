import { handler, query } from '@/lib/api/http.ts'
import { jobIdParams, jobLogsQuery } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { jobLogs } from '@/lib/console/job-logs.ts'
import { hideLogValues, valuesHiddenFrom } from '@/lib/console/values.ts'

export const dynamic = 'force-dynamic'

/** The lines the job's task logged, for one attempt (?attempt=N; default: the latest that logged). */
export const GET = handler<'GET /api/jobs/{id}/logs'>('viewer', async (request, { params, actor }) => {
  const { id } = jobIdParams.parse(params)
  const { attempt } = query(request, jobLogsQuery)
  const context = await consoleContext()
  const logs = await jobLogs(context, id, attempt)
  return (await valuesHiddenFrom(context.db, actor)) ? hideLogValues(logs) : logs
})
