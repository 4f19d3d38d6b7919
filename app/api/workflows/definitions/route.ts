import { handler } from '../../../../lib/api/http.ts'
import { listWorkflowDefinitions } from '../../../../lib/console/catalog.ts'
import { consoleContext } from '../../../../lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** The workflows the workers' apps define, with their input's JSON Schema and their last runs. */
export const GET = handler<'GET /api/workflows/definitions'>('viewer', async () => ({ definitions: await listWorkflowDefinitions(await consoleContext()) }))
