import { handler } from '@/lib/api/http.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Open to anyone, for load balancers and `manana start`: the console is up and reaches its database. */
export const GET = handler<'GET /api/health'>('anyone', async () => {
  await (await consoleContext()).db.query('SELECT 1')
  return { ok: true }
})
