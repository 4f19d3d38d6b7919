import { body, handler } from '@/lib/api/http.ts'
import { pruneBody } from '@/lib/api/schemas.ts'
import { pruneOldJobs } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** { olderThan, statuses?, queue?, dryRun }: how many jobs it would delete (dryRun, the default), or deletes them. */
export const POST = handler<'POST /api/jobs/prune'>('admin', async (request, { audit }) => {
  const { dryRun, ...rule } = await body(request, pruneBody)
  const deleted = await pruneOldJobs({ pool: (await consoleContext()).pool, audit }, { ...rule, dryRun })
  return { deleted, dryRun }
})
