import { handler } from '@/lib/api/http.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { listWorkers } from '@/lib/console/overview.ts'

export const dynamic = 'force-dynamic'
export const GET = handler<'GET /api/workers'>('viewer', async () => ({ workers: await listWorkers(await consoleContext()) }))
