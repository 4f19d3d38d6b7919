import { body, handler, query } from '../../../lib/api/http.ts'
import { deferBody, jobListQuery } from '../../../lib/api/schemas.ts'
import { consoleContext } from '../../../lib/console/context.ts'
import { deferJobs, deferWorkflow } from '../../../lib/queue/defer.ts'

export const dynamic = 'force-dynamic'

/** Jobs, newest first: ?status=failed,todo&queue=&task=&lock=&id=&args=user_id:42&limit=50&after=ID */
export const GET = handler(async (request) => {
  const { limit, after, id, ...filter } = query(request, jobListQuery)
  const { jobs } = await consoleContext()
  return jobs.list({ ...filter, ids: id === undefined ? undefined : [id] }, { limit, after })
})

/** Defers one job ({ task, args, … }) or a whole workflow ({ workflow: { key: { task, dependsOn } } }). */
export const POST = handler(async (request) => {
  const input = await body(request, deferBody)
  const { db } = await consoleContext()
  if ('workflow' in input) return Response.json({ ids: await deferWorkflow(db, input.workflow) }, { status: 201 })
  const [id] = await deferJobs(db, [input])
  return Response.json({ id }, { status: 201 })
})
