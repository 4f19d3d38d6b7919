// What every operation of the HTTP API answers when it succeeds: each route's handler is typed
// with its entry (lib/api/http.ts), the browser's client reads with them, and
// /api/openapi.json describes them with JSON Schemas generated from this file
// (`npm run openapi:schemas` writes lib/api/response-schemas.json; a test keeps it current).
import type { ApiToken } from '../auth/api-tokens.ts'
import type { Actor } from '../auth/roles.ts'
import type { Settings } from '../auth/settings.ts'
import type { User } from '../auth/users.ts'
import type { AuditEntry } from '../console/audit-log.ts'
import type { QueueSummary, TaskSummary, WorkflowDefinitionSummary, WorkflowSummary } from '../console/catalog.ts'
import type { JobDetail } from '../console/job-detail.ts'
import type { JobLogs } from '../console/job-logs.ts'
import type { JobTimes } from '../console/job-times.ts'
import type { SharedOverview, WorkerSummary } from '../console/overview.ts'
import type { RunsGrid } from '../console/runs-grid.ts'
import type { ScheduleSummary } from '../console/schedules.ts'
import type { TaskActivity, TaskSeries } from '../console/task-activity.ts'
import type { JobRangeKind } from '../console/time-range.ts'
import type { VisibleJob } from '../console/values.ts'
import type { WorkflowPreview, WorkflowRunIds } from '../console/workflow-runs.ts'
import type { Graph } from '../dag/graph.ts'
import type { Timeline } from '../dag/timeline.ts'
import type { BulkResult, RetryTarget } from '../queue/job-manager.ts'
import type { Job } from '../queue/job.ts'

export interface JobList {
  jobs: VisibleJob[]
  /** The `after` of the next page; null on the last. */
  next: number | null
  /** When each job of the page was deferred, last started and ended, by id. */
  times: Record<string, JobTimes>
  /** Sorted by slowest: how many jobs that ran it looked among (at most 10,000, the newest). */
  among?: number
  /** The range as it was read: jobs deferred (or with an attempt that ended) from (included) and before (left out) these times (ISO 8601); null ends are open. */
  range: { of: JobRangeKind; from: string | null; before: string | null }
}

export interface ApiResponses {
  'GET /api/jobs': JobList
  /** One job: its id; a workflow: its jobs' ids by key. */
  'POST /api/jobs': { id: number } | { ids: Record<string, number> }
  'POST /api/jobs/bulk': BulkResult
  'GET /api/jobs/{id}': JobDetail
  'DELETE /api/jobs/{id}': { id: number; deleted: true }
  'POST /api/jobs/{id}/cancel': Job
  'POST /api/jobs/{id}/abort': Job
  'POST /api/jobs/{id}/retry': { retried: number[] }
  /** The jobs that run again for it: children its rule had cancelled, and what finished after them. */
  'POST /api/jobs/{id}/mark-succeeded': { reopened: number[] }
  'GET /api/workflows/definitions/{name}/runs': RunsGrid
  'GET /api/schedules': { schedules: ScheduleSummary[] }
  'POST /api/schedules/run': { id: number }
  /** `changed`: false when it was so already. */
  'POST /api/schedules/pause': { task: string; periodicId: string; paused: true; changed: boolean }
  'POST /api/schedules/resume': { task: string; periodicId: string; paused: false; changed: boolean }
  /** `changed`: false when it had been asked already. */
  'POST /api/workers/{id}/stop': { worker: number; stopping: true; changed: boolean }
  /** How many finished jobs matched (dryRun) or were deleted. */
  'POST /api/jobs/prune': { deleted: number; dryRun: boolean }
  'GET /api/jobs/{id}/retry-preview': { jobs: RetryTarget[] }
  'GET /api/jobs/{id}/graph': Graph
  'GET /api/jobs/{id}/logs': JobLogs
  'GET /api/jobs/{id}/timeline': Timeline
  'GET /api/workflows': { workflows: WorkflowSummary[]; next: number | null }
  'POST /api/workflows': WorkflowRunIds
  'POST /api/workflows/preview': WorkflowPreview
  'GET /api/workflows/definitions': { definitions: WorkflowDefinitionSummary[] }
  'GET /api/workflows/{id}/retry-preview': { jobs: RetryTarget[] }
  'POST /api/workflows/{id}/retry': { retried: number[] }
  'GET /api/queues': { queues: QueueSummary[] }
  'POST /api/queues/{name}/pause': { queue: string; paused: true; changed: boolean }
  'POST /api/queues/{name}/resume': { queue: string; paused: false; changed: boolean }
  'GET /api/tasks': { tasks: TaskSummary[] }
  'GET /api/tasks/activity': { tasks: TaskActivity[] }
  'GET /api/tasks/{name}/activity': TaskSeries
  'GET /api/workers': { workers: WorkerSummary[] }
  'GET /api/stats': SharedOverview
  'GET /api/audit': { entries: AuditEntry[]; next: number | null }
  'GET /api/session': { user: Actor }
  'POST /api/session': { user: Actor }
  'DELETE /api/session': { signedOut: true }
  'POST /api/session/password': { changed: true }
  'GET /api/users': { users: User[] }
  /** `password`: the one-time password generated when none was given, shown this once. */
  'POST /api/users': { user: User; password?: string }
  'PATCH /api/users/{username}': { user?: User; password?: string }
  'DELETE /api/users/{username}': { username: string; removed: true }
  'GET /api/tokens': { tokens: ApiToken[] }
  /** `token`: the secret, shown this once. */
  'POST /api/tokens': { token: string; apiToken: ApiToken }
  'DELETE /api/tokens/{id}': { apiToken: ApiToken }
  'GET /api/settings': Settings
  'PATCH /api/settings': Settings
  'GET /api/health': { ok: true }
  /** The OpenAPI 3.1 document. */
  'GET /api/openapi.json': Record<string, unknown>
}

export type Operation = keyof ApiResponses
