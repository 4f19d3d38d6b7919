import { handler } from '@/lib/api/http.ts'
import { listTasks } from '@/lib/console/catalog.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'
export const GET = handler<'GET /api/tasks'>('viewer', async () => ({ tasks: await listTasks(await consoleContext()) }))
