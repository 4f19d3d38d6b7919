// Everything the Job page shows about one job, in one call.
import type { Job, JobStatus } from '../queue/job.ts'
import type { ConsoleContext } from './context.ts'
import type { VisibleJob } from './values.ts'
import { segmentsOf, type Segment } from '../dag/timeline.ts'
import { explain, type Explanation } from './explain.ts'

export interface JobDetail {
  job: VisibleJob
  attempts: Array<{ attempt: number; at: string; workerId: number | null; message: string; stack: string | null }>
  events: Array<{ id: number; type: string | null; at: string | null; workerId: number | null }>
  parents: Array<{ id: number; task: string; status: JobStatus }>
  children: Array<{ id: number; task: string; status: JobStatus }>
  /** How many children there are in all (the list stops at 200). */
  childCount: number
  explanation: Explanation
  /** Where its time went: spans in ms from its deferral (lib/dag/timeline.ts), and now. */
  time: { deferredAt: string | null; spans: Segment[]; end: number | null; now: number }
}

export async function getJobDetail(context: ConsoleContext, id: number): Promise<JobDetail> {
  const { prisma, jobs } = context
  const job = await jobs.getExisting(id)
  const jobId = BigInt(id)
  const [errors, events, parentEdges, childEdges, childCount, explanation] = await Promise.all([
    prisma.jobError.findMany({ where: { jobId }, orderBy: { attempt: 'asc' } }),
    prisma.jobEvent.findMany({ where: { jobId }, orderBy: { id: 'asc' }, take: 500 }),
    prisma.jobDependency.findMany({
      where: { jobId },
      include: { parent: { select: { id: true, taskName: true, status: true } } },
      orderBy: { dependsOnJobId: 'asc' },
    }),
    prisma.jobDependency.findMany({
      where: { dependsOnJobId: jobId },
      include: { child: { select: { id: true, taskName: true, status: true } } },
      orderBy: { jobId: 'asc' },
      take: 200,
    }),
    prisma.jobDependency.count({ where: { dependsOnJobId: jobId } }),
    explain(context, id),
  ])
  const [parentsEnd] = await context.db.query<{ ended_at: Date | null; all_ended: boolean | null; now: Date }>(
    `SELECT bool_and(manana_is_terminal(parent.status)) AS all_ended, clock_timestamp() AS now,
            max((SELECT max(event.at) FROM procrastinate_events AS event
                 WHERE event.job_id = parent.id AND event.type IN ('succeeded', 'failed', 'cancelled', 'aborted'))) AS ended_at
     FROM procrastinate_job_dependencies AS edge JOIN procrastinate_jobs AS parent ON parent.id = edge.depends_on_job_id
     WHERE edge.job_id = $1`,
    [id],
  )
  const origin = events[0]?.at?.getTime() ?? parentsEnd!.now.getTime()
  const relative = (at: Date | null | undefined) => (at ? at.getTime() - origin : null)
  const spans = segmentsOf(
    events.flatMap((event) => (event.type && event.at ? [[event.type, event.at.getTime() - origin] as [string, number]] : [])),
    {
      readyAt: parentsEnd!.all_ended === false ? null : (relative(parentsEnd!.ended_at) ?? -Infinity),
      scheduledAt: relative(job.scheduledAt),
      now: parentsEnd!.now.getTime() - origin,
    },
  )
  return {
    job,
    attempts: errors.map((error) => ({
      attempt: error.attempt,
      at: error.at.toISOString(),
      workerId: error.workerId === null ? null : Number(error.workerId),
      message: error.message,
      stack: error.stack,
    })),
    events: events.map((event) => ({
      id: Number(event.id),
      type: event.type,
      at: event.at?.toISOString() ?? null,
      workerId: event.workerId === null ? null : Number(event.workerId),
    })),
    parents: parentEdges.map(({ parent }) => ({ id: Number(parent.id), task: parent.taskName, status: parent.status })),
    children: childEdges.map(({ child }) => ({ id: Number(child.id), task: child.taskName, status: child.status })),
    childCount,
    explanation,
    time: {
      deferredAt: events[0]?.at?.toISOString() ?? null,
      spans: spans.segments,
      end: spans.end,
      now: parentsEnd!.now.getTime() - origin,
    },
  }
}
