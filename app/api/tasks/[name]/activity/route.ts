import { handler, query } from '@/lib/api/http.ts'
import { nameParams, timeRangeQuery } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { taskSeries } from '@/lib/console/task-activity.ts'
import { rangeBounds } from '@/lib/console/time-range.ts'

export const dynamic = 'force-dynamic'

/** One task's runs, failures and p50/p95 run times, minute by minute or hour by hour: ?range=15m|1h|24h|7d (or from=&to=; the last 24 hours by default). */
export const GET = handler<'GET /api/tasks/{name}/activity'>('viewer', async (request, { params }) => {
  const { name } = nameParams.parse(params)
  const range = query(request, timeRangeQuery)
  return taskSeries(await consoleContext(), name, rangeBounds(range))
})
