// Where a workflow's time went: for each job, from its events, the spans it spent waiting for
// its parents, waiting for its scheduled time, queued (ready, not yet claimed), running, and
// waiting to be retried; and the workflow's critical path. Times are ms from the workflow's first
// deferral.
import type { JobStatus } from '../queue/job.ts'
import type { Queryable } from '../queue/queryable.ts'
import { criticalPath, type PathStep } from './critical-path.ts'
import { workflowGraph } from './graph.ts'
import { toMicrosecond } from './microseconds.ts'

export const segmentKinds = ['parents', 'scheduled', 'queued', 'running', 'retry'] as const
export type SegmentKind = (typeof segmentKinds)[number]
/** [kind, from, to] */
export type Segment = [SegmentKind, number, number]

export interface TimelineJob {
  id: number
  task: string
  /** Its step's key in the workflow, or null. */
  step: string | null
  status: JobStatus
  external: boolean
  start: number
  end: number | null
  attempts: number
  segments: Segment[]
}

export interface Timeline {
  workflowId: number | null
  /** The workflow's first deferral, ISO 8601: time 0. */
  origin: string
  /** Now, in ms from the origin (the timeline's right edge while the workflow runs); its end once it has ended. */
  now: number
  /** When its last job ended, or null while some job is unfinished. */
  end: number | null
  jobs: TimelineJob[]
  criticalPath: PathStep[]
}

const terminalEvents = new Set(['succeeded', 'failed', 'cancelled', 'aborted'])

/** A job's events (type, ms) in order, as spans; `readyAt`: when its last parent ended (null: not yet). */
export function segmentsOf(
  events: Array<[string, number]>,
  { readyAt, scheduledAt, now }: { readyAt: number | null; scheduledAt: number | null; now: number },
): { start: number; end: number | null; attempts: number; segments: Segment[] } {
  const start = events[0]?.[1] ?? now
  const segments: Segment[] = []
  let open: { kind: SegmentKind | 'pending'; from: number } | undefined = { kind: 'pending', from: start }
  let end: number | null = null
  let attempts = 0
  const firstRound = !events.some(([type]) => type === 'deferred_for_retry' || type === 'retried')
  // The first round waits for its parents, then for its scheduled time if that is later, then is queued.
  const scheduled = firstRound ? scheduledAt : null
  const push = (kind: SegmentKind, from: number, to: number) => to > from && segments.push([kind, from, to])
  const close = (at: number) => {
    if (!open) return
    if (open.kind !== 'pending') {
      push(open.kind, open.from, at)
    } else {
      const parentsUntil = readyAt === null ? at : Math.min(Math.max(readyAt, open.from), at)
      const scheduledUntil = scheduled === null ? parentsUntil : Math.min(Math.max(scheduled, parentsUntil), at)
      push('parents', open.from, parentsUntil)
      push('scheduled', parentsUntil, scheduledUntil)
      push('queued', scheduledUntil, at)
    }
    open = undefined
  }
  for (const [type, at] of events) {
    if (type === 'started') {
      close(at)
      attempts++
      open = { kind: 'running', from: at }
    } else if (type === 'deferred_for_retry') {
      close(at)
      open = { kind: 'retry', from: at }
    } else if (type === 'retried') {
      close(at)
      end = null
      open = { kind: 'queued', from: at }
    } else if (terminalEvents.has(type)) {
      close(at)
      end = at
    }
  }
  close(end ?? now) // an unfinished job's last span runs to now
  return { start, end, attempts, segments }
}

export async function workflowTimeline(db: Queryable, jobId: number): Promise<Timeline | undefined> {
  const graph = await workflowGraph(db, jobId, { lastAttempts: false }) // read from the events below
  if (!graph) return undefined
  // The workflow's jobs found again by its id, those outside it given: 10,000 ids as a parameter
  // took 8 ms to plan.
  const shown = (column: string) => `${column} = ANY (ARRAY(SELECT id FROM procrastinate_jobs WHERE workflow_id = $1) || $2::bigint[])`
  const given = graph.nodes.filter((node) => graph.workflowId === null || node.external).map((node) => node.id)
  // Flat rows through the events' job index: one aggregate per job cost 4× as much at 5,000 jobs.
  // Each job's few events are put in order here (sorting 30,000 rows in the query took a quarter of
  // it), and times are date_part's doubles (extract's numerics took another quarter).
  const [events, scheduled] = await Promise.all([
    db.query<{ id: string; job_id: string; type: string; at: number }>(
      `SELECT id, job_id, type, date_part('epoch', at) * 1000 AS at
       FROM procrastinate_events WHERE ${shown('job_id')}`,
      [graph.workflowId, given],
    ),
    db.query<{ id: string; scheduled_at: number | null; now: number }>(
      `SELECT id, date_part('epoch', scheduled_at) * 1000 AS scheduled_at, date_part('epoch', clock_timestamp()) * 1000 AS now
       FROM procrastinate_jobs WHERE ${shown('id')}`,
      [graph.workflowId, given],
    ),
  ])
  // [type, at, id] of each job's events, in the order they were written.
  const eventsOf = new Map<number, Array<[string, number, number]>>()
  for (const event of events) {
    const jobId = Number(event.job_id)
    const list = eventsOf.get(jobId)
    if (list) list.push([event.type, event.at, Number(event.id)])
    else eventsOf.set(jobId, [[event.type, event.at, Number(event.id)]])
  }
  for (const list of eventsOf.values()) {
    if (list.some((event, i) => i > 0 && list[i - 1]![2] > event[2])) list.sort((a, b) => a[2] - b[2])
  }
  const scheduledOf = new Map(scheduled.map((job) => [Number(job.id), job.scheduled_at]))
  const now = scheduled[0]?.now ?? Date.now()
  const origin = Math.min(...graph.nodes.filter((node) => !node.external).map((node) => eventsOf.get(node.id)?.[0]?.[1] ?? now))
  const parents = new Map<number, number[]>()
  for (const [parent, child] of graph.edges) {
    const list = parents.get(child)
    if (list) list.push(parent)
    else parents.set(child, [parent])
  }
  // Each job's end first (a terminal event), then readiness from its parents' ends.
  const endOf = new Map<number, number | null>()
  for (const node of graph.nodes) {
    const events = eventsOf.get(node.id) ?? []
    const last = events.findLast(([type]) => terminalEvents.has(type) || type === 'retried')
    endOf.set(node.id, last && last[0] !== 'retried' ? last[1] : null)
  }
  const shift = (at: number | null) => (at === null ? null : toMicrosecond(at - origin))
  const jobs: TimelineJob[] = graph.nodes.map((node) => {
    const parentEnds = (parents.get(node.id) ?? []).map((parent) => endOf.get(parent) ?? null)
    const readyAt = parentEnds.includes(null) ? null : Math.max(-Infinity, ...(parentEnds as number[]))
    const shifted = (eventsOf.get(node.id) ?? []).map(([type, at]): [string, number] => [type, shift(at)!])
    const spans = segmentsOf(shifted, { readyAt: shift(readyAt), scheduledAt: shift(scheduledOf.get(node.id) ?? null), now: shift(now)! })
    return { id: node.id, task: node.task, step: node.step, status: node.status, external: node.external, ...spans }
  })
  const members = jobs.filter((job) => !job.external)
  const path = criticalPath(
    members.map((job) => ({
      id: job.id,
      parents: parents.get(job.id) ?? [],
      start: job.start,
      end: job.end,
      // Waiting for its parents or its time, it decides nothing yet.
      waiting: job.end === null && (job.segments.at(-1)?.[0] === 'parents' || job.segments.at(-1)?.[0] === 'scheduled'),
    })),
    shift(now)!,
  )
  const unfinished = members.some((job) => job.end === null)
  const end = unfinished ? null : Math.max(...members.map((job) => job.end!))
  return {
    workflowId: graph.workflowId,
    origin: new Date(origin).toISOString(),
    // Once it has ended, the same whenever asked (its answer's ETag too).
    now: end ?? shift(now)!,
    end,
    jobs,
    criticalPath: path,
  }
}
