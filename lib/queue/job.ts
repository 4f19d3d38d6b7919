export const jobStatuses = ['todo', 'doing', 'succeeded', 'failed', 'cancelled', 'aborting', 'aborted'] as const
export type JobStatus = (typeof jobStatuses)[number]

/** A workflow's status, from its jobs' (manana_workflow_status): running while one is unfinished; then failed if one failed or was aborted, cancelled if one was cancelled, else succeeded. */
export const workflowStatuses = ['running', 'failed', 'cancelled', 'succeeded'] as const
export type WorkflowStatus = (typeof workflowStatuses)[number]

/** A job as lib/queue hands it out. Ids are numbers (bigserial stays far below 2^53). */
export interface Job {
  id: number
  queue: string
  task: string
  priority: number
  lock: string | null
  queueingLock: string | null
  args: Record<string, unknown>
  status: JobStatus
  scheduledAt: Date | null
  attempts: number
  abortRequested: boolean
  workerId: number | null
  /** Doing, but claimed ahead by its worker and not started yet (says nothing once it is no longer doing). */
  claimedAhead: boolean
  /** Parents that have not reached a terminal status yet; the job is ready at 0. */
  unfinishedParents: number
  result: unknown
  /** The workflow it was deferred in, if it has dependencies or dependents. */
  workflowId: number | null
  /** The step it is in its workflow: its key there (`download`), or null (deferred without one). */
  step: string | null
}

/** A procrastinate_jobs row as to_jsonb() gives it. */
export interface JobRow {
  id: number
  queue_name: string
  task_name: string
  priority: number
  lock: string | null
  queueing_lock: string | null
  args: Record<string, unknown>
  status: JobStatus
  scheduled_at: string | null
  attempts: number
  abort_requested: boolean
  worker_id: number | null
  claimed_ahead: boolean
  unfinished_parents: number
  result: unknown
  workflow_id: number | null
  step_key?: string | null
}

export function jobFromRow(row: JobRow): Job {
  return {
    id: Number(row.id),
    queue: row.queue_name,
    task: row.task_name,
    priority: row.priority,
    lock: row.lock,
    queueingLock: row.queueing_lock,
    args: row.args,
    status: row.status,
    scheduledAt: row.scheduled_at === null ? null : new Date(row.scheduled_at),
    attempts: row.attempts,
    abortRequested: row.abort_requested,
    workerId: row.worker_id === null ? null : Number(row.worker_id),
    claimedAhead: row.claimed_ahead,
    unfinishedParents: row.unfinished_parents,
    result: row.result,
    workflowId: row.workflow_id === null ? null : Number(row.workflow_id),
    step: row.step_key ?? null,
  }
}
