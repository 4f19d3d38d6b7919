import { handler } from '../../../../lib/api/http.ts'
import { consoleContext } from '../../../../lib/console/context.ts'
import { taskActivity } from '../../../../lib/console/task-activity.ts'

export const dynamic = 'force-dynamic'
export const GET = handler('viewer', async () => ({ tasks: await taskActivity(await consoleContext()) }))
