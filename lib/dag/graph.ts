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
  const members = workflowId === null ? 'job.id = $1' : 'job.workflow_id = $1'
  const rows = await db.query<{ id: string; task_name: string; step_key: string | null; status: JobStatus; queue_name: string; external: boolean; parents: string[] | null; attempts: number; started_at: Date | null; ran_ms: number | null }>(
    `WITH member AS (
       SELECT job.id FROM procrastinate_jobs AS job WHERE ${members}
     ), edge AS (
       SELECT edge.job_id, edge.depends_on_job_id FROM procrastinate_job_dependencies AS edge
       WHERE edge.job_id = ANY (ARRAY(SELECT id FROM member)) -- through the primary key: a join hashed every edge
     ), node AS (
       SELECT id, false AS external FROM member
       UNION
       SELECT depends_on_job_id, true FROM edge WHERE depends_on_job_id NOT IN (SELECT id FROM member)
     )
     , parents AS (
       SELECT job_id, array_agg(depends_on_job_id) AS parents FROM edge GROUP BY job_id
     )
     SELECT job.id, job.task_name, job.step_key, job.status, job.queue_name, node.external, parents.parents, job.attempts,
            last.started_at, last.ran_ms
     FROM node JOIN procrastinate_jobs AS job ON job.id = node.id
     LEFT JOIN parents ON parents.job_id = job.id
     LEFT JOIN LATERAL (SELECT * FROM manana_last_attempt(job.id) WHERE $2) AS last ON true
     ORDER BY job.id`,
    [workflowId ?? jobId, lastAttempts],
  )
  return {
    workflowId,
    workflowName: target.workflow_name,
    nodes: rows.map((row) => ({
      id: Number(row.id),
      task: row.task_name,
      step: row.step_key,
      status: row.status,
      queue: row.queue_name,
      external: row.external,
      attempts: row.attempts,
      startedAt: row.started_at?.toISOString() ?? null,
      ranMs: row.ran_ms,
    })),
    edges: rows.flatMap((row) => (row.parents ?? []).map((parent): [number, number] => [Number(parent), Number(row.id)])),
  }
}
