import { handler, query } from '@/lib/api/http.ts'
import { nameParams, runsGridQuery } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { runsGrid } from '@/lib/console/runs-grid.ts'

export const dynamic = 'force-dynamic'

/** A definition's last runs (?runs=25, at most 100) × its steps: each step's job, status and run time. */
export const GET = handler<'GET /api/workflows/definitions/{name}/runs'>('viewer', async (request, { params }) => {
  const { name } = nameParams.parse(params)
  const { runs } = query(request, runsGridQuery)
  return runsGrid((await consoleContext()).db, name, runs)
})
