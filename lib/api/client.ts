// The browser's side of the API: typed fetchers that turn error bodies into ApiErrors.
import type { Graph } from '../dag/graph.ts'
import type { QueueSummary, TaskSummary, WorkflowSummary } from '../console/catalog.ts'
import type { JobDetail } from '../console/job-detail.ts'
import type { Overview, WorkerSummary } from '../console/overview.ts'
import type { Job } from '../queue/job.ts'
import type { BulkAction, BulkResult, JobPage, RetryTarget } from '../queue/job-manager.ts'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } })
  const text = await response.text()
  const value = text ? JSON.parse(text) : null
  if (!response.ok) throw new ApiError(response.status, value?.error?.code ?? 'http_error', value?.error?.message ?? response.statusText)
  return value as T
}

const post = <T>(path: string, body: unknown = {}) => call<T>(path, { method: 'POST', body: JSON.stringify(body) })

export const api = {
  jobs: (search: string) => call<JobPage>(`/api/jobs?${search}`),
  job: (id: number) => call<JobDetail>(`/api/jobs/${id}`),
  graph: (id: number) => call<Graph>(`/api/jobs/${id}/graph`),
  retryPreview: (id: number, downstream: boolean) => call<{ jobs: RetryTarget[] }>(`/api/jobs/${id}/retry-preview?downstream=${downstream}`),
  retry: (id: number, downstream: boolean) => post<{ retried: number[] }>(`/api/jobs/${id}/retry`, { downstream }),
  cancel: (id: number) => post<Job>(`/api/jobs/${id}/cancel`),
  abort: (id: number) => post<Job>(`/api/jobs/${id}/abort`),
  remove: (id: number) => call<{ id: number }>(`/api/jobs/${id}`, { method: 'DELETE' }),
  bulk: (filter: Record<string, unknown>, action: BulkAction, dryRun: boolean) => post<BulkResult>('/api/jobs/bulk', { filter, action, dryRun }),
  defer: (body: unknown) => post<{ id: number }>('/api/jobs', body),
  stats: () => call<Overview>('/api/stats'),
  workflows: (after?: number) => call<{ workflows: WorkflowSummary[]; next: number | null }>(`/api/workflows${after ? `?after=${after}` : ''}`),
  queues: () => call<{ queues: QueueSummary[] }>('/api/queues'),
  tasks: () => call<{ tasks: TaskSummary[] }>('/api/tasks'),
  workers: () => call<{ workers: WorkerSummary[] }>('/api/workers'),
}
