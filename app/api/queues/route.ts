import { handler } from '@/lib/api/http.ts'
import { listQueues } from '@/lib/console/catalog.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'
export const GET = handler<'GET /api/queues'>('viewer', async () => ({ queues: await listQueues(await consoleContext()) }))
