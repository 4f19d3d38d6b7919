import { body, handler } from '@/lib/api/http.ts'
import { scheduleBody } from '@/lib/api/schemas.ts'
import { pauseSchedule } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** { task, periodicId }: no worker defers its ticks until it is resumed; `changed` is false when it was paused already. */
export const POST = handler<'POST /api/schedules/pause'>('operator', async (request, { audit }) => {
  const schedule = await body(request, scheduleBody)
  return { ...schedule, paused: true, changed: await pauseSchedule({ pool: (await consoleContext()).pool, audit }, schedule) }
})
