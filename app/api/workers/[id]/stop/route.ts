import { handler } from '@/lib/api/http.ts'
import { idParams } from '@/lib/api/schemas.ts'
import { stopWorker } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** The worker finishes its running jobs, puts back those claimed ahead, and exits; `changed` is false when it was asked already. */
export const POST = handler<'POST /api/workers/{id}/stop'>('operator', async (_request, { params, audit }) => {
  const { id } = idParams.parse(params)
  return { worker: id, stopping: true, changed: await stopWorker({ pool: (await consoleContext()).pool, audit }, id) }
})
