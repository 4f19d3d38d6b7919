import { handler } from '@/lib/api/http.ts'
import { queueParams } from '@/lib/api/schemas.ts'
import { resumeQueue } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Workers start the queue's jobs again (they are woken); `changed` is false when it was not paused. */
export const POST = handler<'POST /api/queues/{name}/resume'>('operator', async (_request, { params, audit }) => {
  const { name } = queueParams.parse(params)
  return { queue: name, paused: false, changed: await resumeQueue({ pool: (await consoleContext()).pool, audit }, name) }
})
