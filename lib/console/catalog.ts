// Queues, tasks and workflows: the console's lists beside the jobs.
import type { JobStatus, WorkflowStatus } from '../queue/job.ts'
import type { ConsoleContext } from './context.ts'
import { rangeBounds, type TimeRange } from './time-range.ts'

export interface QueueSummary {
  queue: string
  ready: number
  waiting: number
  scheduled: number
  doing: number
  /** When the earliest deferred of its ready jobs became ready (deferred, retried, scheduled, or its last parent ended). */
  oldestReadySince: string | null
  workers: number
  /** When it was paused (no worker starts its jobs), and by whom; null when it runs. */
  pausedAt: string | null
  pausedBy: string | null
  /** Why it was paused, as its pauser said. */
  pausedReason: string | null
}

/** Every queue with unfinished jobs, a task or a pause: its jobs by state, ready since when, its live workers. */
export async function listQueues({ db }: Pick<ConsoleContext, 'db'>): Promise<QueueSummary[]> {
  const rows = await db.query<Omit<QueueSummary, 'oldestReadySince'> & { oldest_ready_since: Date | null }>(
    `WITH unfinished AS (
       SELECT queue_name,
              count(*) FILTER (WHERE status = 'todo' AND unfinished_parents = 0 AND (scheduled_at IS NULL OR scheduled_at <= now()))::int AS ready,
              count(*) FILTER (WHERE status = 'todo' AND unfinished_parents > 0)::int AS waiting,
              count(*) FILTER (WHERE status = 'todo' AND unfinished_parents = 0 AND scheduled_at > now())::int AS scheduled,
              count(*) FILTER (WHERE status = 'doing')::int AS doing,
              min(id) FILTER (WHERE status = 'todo' AND unfinished_parents = 0 AND (scheduled_at IS NULL OR scheduled_at <= now())) AS oldest_ready
       FROM procrastinate_jobs WHERE status IN ('todo', 'doing') GROUP BY queue_name
     ), known AS (
       SELECT queue_name FROM unfinished UNION SELECT queue_name FROM manana_tasks UNION SELECT queue_name FROM manana_paused_queues
     )
     SELECT known.queue_name AS queue, coalesce(ready, 0) AS ready, coalesce(waiting, 0) AS waiting,
            coalesce(scheduled, 0) AS scheduled, coalesce(doing, 0) AS doing,
            (SELECT manana_job_ready_since(job.id, job.scheduled_at) FROM procrastinate_jobs AS job
             WHERE job.id = unfinished.oldest_ready) AS oldest_ready_since,
            (SELECT count(*) FROM procrastinate_workers AS worker
             WHERE worker.last_heartbeat > now() - interval '30 seconds'
               AND (worker.queues IS NULL OR known.queue_name = ANY (worker.queues)))::int AS workers,
            paused.paused_at AS "pausedAt", paused.paused_by AS "pausedBy", paused.reason AS "pausedReason"
     FROM known LEFT JOIN unfinished USING (queue_name) LEFT JOIN manana_paused_queues AS paused USING (queue_name)
     ORDER BY 1`,
  )
  return rows.map(({ oldest_ready_since, ...queue }) => ({ ...queue, oldestReadySince: oldest_ready_since?.toISOString() ?? null }))
}

export interface TaskSummary {
  name: string
  queue: string
  priority: number
  lock: string | null
  queueingLock: string | null
  retry: unknown
  timeoutSeconds: number | null
  argsSchema: Record<string, unknown> | null
  announcedAt: string
}

export async function listTasks({ prisma }: ConsoleContext): Promise<TaskSummary[]> {
  const tasks = await prisma.task.findMany({ orderBy: { name: 'asc' } })
  return tasks.map((task) => ({
    name: task.name,
    queue: task.queueName,
    priority: task.priority,
    lock: task.lock,
    queueingLock: task.queueingLock,
    retry: task.retry,
    timeoutSeconds: task.timeoutSeconds,
    argsSchema: task.argsSchema as Record<string, unknown> | null,
    announcedAt: task.announcedAt.toISOString(),
  }))
}

export interface WorkflowSummary {
  id: number
  name: string
  /** When it was deferred. */
  createdAt: string
  /** When its last job ended; null while one is unfinished. */
  endedAt: string | null
  status: WorkflowStatus
  /** Any one of its jobs, to open its graph from. */
  firstJobId: number | null
  counts: Partial<Record<JobStatus, number>>
  total: number
  /** A run of a definition: the input it was given (null for workflows deferred as jobs, or hidden). */
  input: Record<string, unknown> | null
}

/** A LIKE pattern matching `text` itself (its own %, _ and \\ matched as such). */
const literally = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** Newest first; `name`: those whose name starts with it (`exactName`: is it); `status`: those in that state; a range: those begun in it. */
export async function listWorkflows(
  { db }: Pick<ConsoleContext, 'db'>,
  { limit, after, name, exactName, status, ...range }: { limit: number; after?: number | undefined; name?: string | undefined; exactName?: string; status?: WorkflowStatus | undefined } & TimeRange,
): Promise<{ workflows: WorkflowSummary[]; next: number | null }> {
  const { from, before } = rangeBounds(range)
  const rows = await db.query<{ id: string; name: string; status: WorkflowStatus; created_at: Date; ended_at: Date | null; first_job_id: string | null; counts: Record<string, number> | null; input: Record<string, unknown> | null }>(
    `SELECT workflow.id, workflow.name, outcome.status, workflow.created_at, workflow.input,
            CASE WHEN outcome.status <> 'running'
                 THEN (SELECT max(event.at) FROM procrastinate_jobs AS job JOIN procrastinate_events AS event ON event.job_id = job.id
                       WHERE job.workflow_id = workflow.id AND event.type IN ('succeeded', 'failed', 'cancelled', 'aborted')) END AS ended_at,
            (SELECT min(job.id) FROM procrastinate_jobs AS job WHERE job.workflow_id = workflow.id) AS first_job_id,
            (SELECT jsonb_object_agg(status, n) FROM (
               SELECT job.status, count(*)::int AS n FROM procrastinate_jobs AS job WHERE job.workflow_id = workflow.id GROUP BY job.status
             ) AS by_status) AS counts
     FROM manana_workflows AS workflow
     CROSS JOIN LATERAL (SELECT manana_workflow_status(workflow.id) AS status) AS outcome
     WHERE ($2::bigint IS NULL OR workflow.id < $2) AND ($3::text IS NULL OR workflow.name LIKE $3)
       AND ($4::text IS NULL OR outcome.status = $4)
       AND ($5::timestamptz IS NULL OR workflow.created_at >= $5) AND ($6::timestamptz IS NULL OR workflow.created_at < $6)
     ORDER BY workflow.id DESC LIMIT $1`,
    [limit, after ?? null, exactName !== undefined ? literally(exactName) : name ? `${literally(name)}%` : null, status ?? null, from ?? null, before ?? null],
  )
  const workflows = rows.map((row) => {
    const counts = row.counts ?? {}
    return {
      id: Number(row.id),
      name: row.name,
      createdAt: row.created_at.toISOString(),
      endedAt: row.ended_at?.toISOString() ?? null,
      status: row.status,
      firstJobId: row.first_job_id === null ? null : Number(row.first_job_id),
      counts,
      total: Object.values(counts).reduce((sum, n) => sum + n, 0),
      input: row.input,
    }
  })
  return { workflows, next: workflows.length === limit ? workflows.at(-1)!.id : null }
}

export interface WorkflowDefinitionSummary {
  name: string
  /** The JSON Schema of its input, when its definition has a validator that gives one. */
  inputSchema: Record<string, unknown> | null
  announcedAt: string
  /** Its latest runs (workflows deferred under its name), newest first. */
  lastRuns: WorkflowSummary[]
}

/** The workflows the workers' apps define, each with its latest runs. */
export async function listWorkflowDefinitions(context: Pick<ConsoleContext, 'db'>, runs = 10): Promise<WorkflowDefinitionSummary[]> {
  const definitions = await context.db.query<{ name: string; input_schema: Record<string, unknown> | null; announced_at: Date }>(
    'SELECT name, input_schema, announced_at FROM manana_workflow_definitions ORDER BY name',
  )
  return Promise.all(
    definitions.map(async (definition) => ({
      name: definition.name,
      inputSchema: definition.input_schema,
      announcedAt: definition.announced_at.toISOString(),
      lastRuns: (await listWorkflows(context, { limit: runs, exactName: definition.name })).workflows,
    })),
  )
}
