import { body, handler, respond } from '@/lib/api/http.ts'
import { scheduleBody } from '@/lib/api/schemas.ts'
import { runScheduleNow } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** { task, periodicId }: defers a job of the schedule now, with its arguments. */
export const POST = handler<'POST /api/schedules/run'>('operator', async (request, { audit }) => {
  const schedule = await body(request, scheduleBody)
  return respond({ id: await runScheduleNow({ pool: (await consoleContext()).pool, audit }, schedule) }, { status: 201 })
})
