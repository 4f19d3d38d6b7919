import { handler, query } from '../../../lib/api/http.ts'
import { workflowListQuery } from '../../../lib/api/schemas.ts'
import { listWorkflows } from '../../../lib/console/catalog.ts'
import { consoleContext } from '../../../lib/console/context.ts'

export const dynamic = 'force-dynamic'

export const GET = handler('viewer', async (request) => {
  const { limit, after } = query(request, workflowListQuery)
  return listWorkflows(await consoleContext(), limit, after)
})
