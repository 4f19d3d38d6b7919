import { handler, query } from '@/lib/api/http.ts'
import { jobIdParams, retryPreviewQuery } from '@/lib/api/schemas.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** The jobs a retry would run again (?downstream=true), changing nothing. */
export const GET = handler<'GET /api/jobs/{id}/retry-preview'>('viewer', async (request, { params }) => {
  const { id } = jobIdParams.parse(params)
  const { downstream } = query(request, retryPreviewQuery)
  return { jobs: await (await consoleContext()).jobs.retryPreview(id, { downstream }) }
})
