// The graph of a job's workflow: its jobs and the edges between them. A job outside the
// workflow that one of its jobs depends on is included too, marked external.
import type { JobStatus } from '../queue/job.ts'
import type { Queryable } from '../queue/queryable.ts'

export interface GraphNode {
  id: number
  task: string
  /** Its step's key in the workflow (`download`), or null. */
  step: string | null
  status: JobStatus
  queue: string
  external: boolean
  /** Attempts ended so far (a retried job's count includes the failed ones). */
  attempts: number
  /** When its latest attempt started; null before the first. */
  startedAt: string | null
  /** How long its latest attempt ran, once it ended; null before. */
  ranMs: number | null
}

export interface Graph {
  workflowId: number | null
  /** Its workflow's name (a definition's, or the one it was deferred under); null for a job alone. */
  workflowName: string | null
  nodes: GraphNode[]
  /** [parent, child] */
  edges: Array<[number, number]>
}

interface NodeRow {
  id: string
  task_name: string
  step_key: string | null
  status: JobStatus
  queue_name: string
  attempts: number
  parents: string[]
  started_at: Date | null
  ran_ms: number | null
}

/** `lastAttempts`: each node's latest attempt (startedAt, ranMs) too; without, they are null. */
export async function workflowGraph(db: Queryable, jobId: number, { lastAttempts = true } = {}): Promise<Graph | undefined> {
  const [target] = await db.query<{ workflow_id: string | null; workflow_name: string | null }>(
    `SELECT job.workflow_id, workflow.name AS workflow_name
     FROM procrastinate_jobs AS job LEFT JOIN manana_workflows AS workflow ON workflow.id = job.workflow_id
     WHERE job.id = $1`,
    [jobId],
  )
  if (!target) return undefined
  const workflowId = target.workflow_id === null ? null : Number(target.workflow_id)
  // Each job with its parents (an index probe a job: a join hashed every edge, and spilled its
  // aggregate to disk), and its latest attempt.
  const nodes = (where: string, value: unknown) =>
    db.query<NodeRow>(
      `SELECT job.id, job.task_name, job.step_key, job.status, job.queue_name, job.attempts,
              ARRAY(SELECT edge.depends_on_job_id FROM procrastinate_job_dependencies AS edge WHERE edge.job_id = job.id) AS parents,
              last.started_at, last.ran_ms
       FROM procrastinate_jobs AS job
       LEFT JOIN LATERAL (SELECT * FROM manana_last_attempt(job.id) WHERE $2) AS last ON true
       WHERE ${where}
       ORDER BY job.id`,
      [value, lastAttempts],
    )
  const members = await nodes(workflowId === null ? 'job.id = $1' : 'job.workflow_id = $1', workflowId ?? jobId)
  const memberIds = new Set(members.map((row) => row.id))
  // Parents outside the workflow, without their own parents.
  const outside = [...new Set(members.flatMap((row) => row.parents.filter((parent) => !memberIds.has(parent))))]
  const externals = outside.length ? await nodes('job.id = ANY ($1::bigint[])', outside) : []
  const rows = [...members.map((row) => ({ row, external: false })), ...externals.map((row) => ({ row, external: true }))]
  rows.sort((a, b) => Number(a.row.id) - Number(b.row.id))
  return {
    workflowId,
    workflowName: target.workflow_name,
    nodes: rows.map(({ row, external }) => ({
      id: Number(row.id),
      task: row.task_name,
      step: row.step_key,
      status: row.status,
      queue: row.queue_name,
      external,
      attempts: row.attempts,
      startedAt: row.started_at?.toISOString() ?? null,
      ranMs: row.ran_ms,
    })),
    edges: members.flatMap((row) => row.parents.map((parent): [number, number] => [Number(parent), Number(row.id)])),
  }
}
