import { body, handler, query, respond } from '@/lib/api/http.ts'
import { deferBody, jobListQuery } from '@/lib/api/schemas.ts'
import { deferJob, deferJobWorkflow } from '@/lib/console/actions.ts'
import { consoleContext } from '@/lib/console/context.ts'
import { jobTimes } from '@/lib/console/job-times.ts'
import { jobsWithin, rangeBounds } from '@/lib/console/time-range.ts'
import { hideValues, refuseValueFilter, valuesHiddenFrom } from '@/lib/console/values.ts'

export const dynamic = 'force-dynamic'

/** Jobs with when each was deferred, last started and ended: ?status=failed,todo&queue=&task=&lock=&id=&args=user_id:42&range=15m|1h|24h|7d (or from=&to=)&rangeOf=deferred|ended&order=newest|oldest|slowest&limit=50&after=ID */
export const GET = handler<'GET /api/jobs'>('viewer', async (request, { actor }) => {
  const { limit, after, order, id, range, from, to, rangeOf = 'deferred', ...filter } = query(request, jobListQuery)
  const { jobs, db } = await consoleContext()
  const hidden = await valuesHiddenFrom(db, actor)
  if (hidden && (filter.args || filter.lock)) refuseValueFilter()
  const bounds = rangeBounds({ range, from, to })
  const page = await jobs.list({ ...filter, ...jobsWithin(bounds, rangeOf), ids: id === undefined ? undefined : [id] }, { limit, after, order })
  const times = await jobTimes(db, page.jobs.map((job) => job.id))
  return {
    ...page,
    jobs: hidden ? page.jobs.map(hideValues) : page.jobs,
    times,
    range: { of: rangeOf, from: bounds.from?.toISOString() ?? null, before: bounds.before?.toISOString() ?? null },
  }
})

/** A workflow of 10,000 jobs with their arguments fits; more is refused before it is read. */
const maxDeferBytes = 16 * 1024 * 1024

/**
 * Defers one job ({ task, args, … }) or a whole workflow ({ workflow: { key: { task, dependsOn } } }),
 * with the queue, priority and locks its task's workers announced; a task no worker announced is
 * refused (unknown_task) unless allowUnknownTask is true.
 */
export const POST = handler<'POST /api/jobs'>('operator', async (request, { audit }) => {
  const { allowUnknownTask, ...input } = await body(request, deferBody, { maxBytes: maxDeferBytes })
  const who = { pool: (await consoleContext()).pool, audit }
  if ('workflow' in input) return respond({ ids: await deferJobWorkflow(who, input.workflow, { allowUnknownTask, name: input.name }) }, { status: 201 })
  return respond({ id: await deferJob(who, input, { allowUnknownTask }) }, { status: 201 })
})
