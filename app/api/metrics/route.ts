import { handler } from '../../../lib/api/http.ts'
import { consoleContext } from '../../../lib/console/context.ts'
import { consoleMetricsText, databaseFigures } from '../../../lib/console/metrics.ts'
import { sharedOverview } from '../../../lib/console/overview.ts'
import { prometheusContentType } from '../../../lib/observe/prometheus.ts'

export const dynamic = 'force-dynamic'
export const GET = handler<'GET /api/metrics'>('viewer', async () => {
  const context = await consoleContext()
  const [overview, figures] = await Promise.all([sharedOverview.get(context), databaseFigures(context.db)])
  return new Response(consoleMetricsText(overview, figures), { headers: { 'content-type': prometheusContentType } })
})
