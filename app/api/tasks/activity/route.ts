import { handler, query } from '@/lib/api/http.ts'
import { timeRangeQuery } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { taskActivity } from '@/lib/console/task-activity.ts'
import { rangeBounds } from '@/lib/console/time-range.ts'
import { hideTaskActivityValues, valuesHiddenFrom } from '@/lib/console/values.ts'

export const dynamic = 'force-dynamic'
/** Each task's figures over the last hour and day, and over ?range=15m|1h|24h|7d (or from=&to=) if asked. */
export const GET = handler<'GET /api/tasks/activity'>('viewer', async (request, { actor }) => {
  const range = query(request, timeRangeQuery)
  const context = await consoleContext()
  const tasks = await taskActivity(context, range.range || range.from || range.to ? rangeBounds(range) : undefined)
  return { tasks: (await valuesHiddenFrom(context.db, actor)) ? hideTaskActivityValues(tasks) : tasks }
})
