import { handler } from '@/lib/api/http.ts'
import { listWorkflowDefinitions } from '@/lib/console/catalog.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { hideRunInputs, valuesHiddenFrom } from '@/lib/console/values.ts'

export const dynamic = 'force-dynamic'

/** The workflows the workers' apps define, with their input's JSON Schema and their last runs. */
export const GET = handler<'GET /api/workflows/definitions'>('viewer', async (_request, { actor }) => {
  const context = await consoleContext()
  const definitions = await listWorkflowDefinitions(context)
  if (!(await valuesHiddenFrom(context.db, actor))) return { definitions }
  return { definitions: definitions.map((definition) => ({ ...definition, lastRuns: hideRunInputs(definition.lastRuns) })) }
})
