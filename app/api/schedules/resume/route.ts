import { body, handler } from '@/lib/api/http.ts'
import { scheduleBody } from '@/lib/api/schemas.ts'
import { resumeSchedule } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** { task, periodicId }: its ticks are deferred again from the next one (missed ones are not made up); `changed` is false when it was not paused. */
export const POST = handler<'POST /api/schedules/resume'>('operator', async (request, { audit }) => {
  const schedule = await body(request, scheduleBody)
  return { ...schedule, paused: false, changed: await resumeSchedule({ pool: (await consoleContext()).pool, audit }, schedule) }
})
