import { handler } from '@/lib/api/http.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { listSchedules } from '@/lib/console/schedules.ts'

export const dynamic = 'force-dynamic'

/** The periodic tasks: cron, queue, next and last tick, the last tick's job, paused or not. */
export const GET = handler<'GET /api/schedules'>('viewer', async () => ({ schedules: await listSchedules((await consoleContext()).db) }))
