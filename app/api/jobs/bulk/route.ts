import { body, handler } from '@/lib/api/http.ts'
import { bulkBody } from '@/lib/api/schemas.ts'
import { bulkAction } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { jobsWithin, rangeBounds } from '@/lib/console/time-range.ts'

export const dynamic = 'force-dynamic'

/** { filter, action: cancel | retry, dryRun }: what it would do (dryRun, the default), or does it. */
export const POST = handler<'POST /api/jobs/bulk'>('operator', async (request, { audit }) => {
  const { filter: { from, to, rangeOf, ...given }, action, dryRun } = await body(request, bulkBody)
  const filter = { ...given, ...jobsWithin(rangeBounds({ from, to }), rangeOf) }
  const { jobs, pool } = await consoleContext()
  return dryRun ? jobs.bulk(filter, action, { dryRun }) : bulkAction({ pool, audit }, filter, action)
})
