import { handler } from '../../../../lib/api/http.ts'
import { consoleContext } from '../../../../lib/console/context.ts'
import { taskActivity } from '../../../../lib/console/task-activity.ts'
import { hideTaskActivityValues, valuesHiddenFrom } from '../../../../lib/console/values.ts'

export const dynamic = 'force-dynamic'
export const GET = handler<'GET /api/tasks/activity'>('viewer', async (_request, { actor }) => {
  const context = await consoleContext()
  const tasks = await taskActivity(context)
  return { tasks: (await valuesHiddenFrom(context.db, actor)) ? hideTaskActivityValues(tasks) : tasks }
})
