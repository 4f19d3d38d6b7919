import { handler, query } from '../../../lib/api/http.ts'
import { workflowListQuery } from '../../../lib/api/schemas.ts'
import { listWorkflows } from '../../../lib/console/catalog.ts'
import { consoleContext } from '../../../lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Workflows, newest first: ?name=PREFIX&limit=&after= */
export const GET = handler<'GET /api/workflows'>('viewer', async (request) => listWorkflows(await consoleContext(), query(request, workflowListQuery)))
