import { body, handler } from '../../../../lib/api/http.ts'
import { bulkBody } from '../../../../lib/api/schemas.ts'
import { consoleContext } from '../../../../lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** { filter, action: cancel | retry, dryRun }: what it would do (dryRun, the default), or does it. */
export const POST = handler(async (request) => {
  const { filter, action, dryRun } = await body(request, bulkBody)
  return (await consoleContext()).jobs.bulk(filter, action, { dryRun })
})
