import { handler } from '@/lib/api/http.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { sharedOverview } from '@/lib/console/overview.ts'
import { hideOverviewValues, valuesHiddenFrom } from '@/lib/console/values.ts'

export const dynamic = 'force-dynamic'
export const GET = handler<'GET /api/stats'>('viewer', async (_request, { actor }) => {
  const context = await consoleContext()
  const overview = await sharedOverview.get(context)
  return (await valuesHiddenFrom(context.db, actor)) ? hideOverviewValues(overview) : overview
})
