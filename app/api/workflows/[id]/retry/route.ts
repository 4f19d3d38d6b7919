import { handler } from '@/lib/api/http.ts'
import { idParams } from '@/lib/api/schemas.ts'
import { retryWorkflow } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Runs the workflow's failed and aborted jobs again, with every finished job downstream of them. */
export const POST = handler<'POST /api/workflows/{id}/retry'>('operator', async (_request, { params, audit }) => {
  const { id } = idParams.parse(params)
  return { retried: await retryWorkflow({ pool: (await consoleContext()).pool, audit }, id) }
})
