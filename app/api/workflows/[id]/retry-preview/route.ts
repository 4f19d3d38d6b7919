import { handler } from '@/lib/api/http.ts'
import { idParams } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** The jobs a retry of the workflow's failures would run again, changing nothing. */
export const GET = handler<'GET /api/workflows/{id}/retry-preview'>('viewer', async (_request, { params }) => {
  const { id } = idParams.parse(params)
  return { jobs: await (await consoleContext()).jobs.workflowRetryPreview(id) }
})
