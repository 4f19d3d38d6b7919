import { handler } from '@/lib/api/http.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { consoleMetricsText, databaseDeadlocks } from '@/lib/console/metrics.ts'
import { sharedOverview } from '@/lib/console/overview.ts'
import { prometheusContentType } from '@/lib/observe/prometheus.ts'

export const dynamic = 'force-dynamic'
export const GET = handler<'GET /api/metrics'>('viewer', async () => {
  const context = await consoleContext()
  const [overview, deadlocks] = await Promise.all([sharedOverview.get(context), databaseDeadlocks(context.db)])
  return new Response(consoleMetricsText(overview, deadlocks), { headers: { 'content-type': prometheusContentType } })
})
