import { body, handler } from '@/lib/api/http.ts'
import { pauseBody, queueParams } from '@/lib/api/schemas.ts'
import { pauseQueue } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** No worker starts a job of the queue until it is resumed; `changed` is false when it was paused already. */
export const POST = handler<'POST /api/queues/{name}/pause'>('operator', async (request, { params, audit }) => {
  const { name } = queueParams.parse(params)
  const { force, reason } = await body(request, pauseBody)
  return { queue: name, paused: true, changed: await pauseQueue({ pool: (await consoleContext()).pool, audit }, name, { force, reason }) }
})
