// The browser's side of the API: typed fetchers that turn error bodies into ApiErrors.
import type { ApiToken } from '../auth/api-tokens.ts'
import type { Actor, Role } from '../auth/roles.ts'
import type { Settings } from '../auth/settings.ts'
import type { User } from '../auth/users.ts'
import type { AuditEntry } from '../console/audit-log.ts'
import type { Graph } from '../dag/graph.ts'
import type { Timeline } from '../dag/timeline.ts'
import type { JobTimes } from '../console/job-times.ts'
import type { QueueSummary, TaskSummary, WorkflowSummary } from '../console/catalog.ts'
import type { JobDetail } from '../console/job-detail.ts'
import type { JobLogs } from '../console/job-logs.ts'
import type { TaskActivity } from '../console/task-activity.ts'
import type { SharedOverview, WorkerSummary } from '../console/overview.ts'
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

/** The session ended (expired, signed out elsewhere, password changed): sign in again, then come back. */
export function signInAgain(): void {
  if (typeof window === 'undefined' || window.location.pathname.startsWith('/sign-in')) return
  window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`)
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } })
  const text = await response.text()
  const value = text ? JSON.parse(text) : null
  if (response.status === 401) signInAgain()
  if (!response.ok) throw new ApiError(response.status, value?.error?.code ?? 'http_error', value?.error?.message ?? response.statusText)
  return value as T
}

const post = <T>(path: string, body: unknown = {}) => call<T>(path, { method: 'POST', body: JSON.stringify(body) })

export const api = {
  jobs: (search: string) => call<JobPage & { times: Record<number, JobTimes> }>(`/api/jobs?${search}`),
  job: (id: number) => call<JobDetail>(`/api/jobs/${id}`),
  graph: (id: number) => call<Graph>(`/api/jobs/${id}/graph`),
  timeline: (id: number) => call<Timeline>(`/api/jobs/${id}/timeline`),
  jobLogs: (id: number, attempt?: number) => call<JobLogs>(`/api/jobs/${id}/logs${attempt ? `?attempt=${attempt}` : ''}`),
  pauseQueue: (name: string) => post<{ changed: boolean }>(`/api/queues/${encodeURIComponent(name)}/pause`),
  resumeQueue: (name: string) => post<{ changed: boolean }>(`/api/queues/${encodeURIComponent(name)}/resume`),
  retryPreview: (id: number, downstream: boolean) => call<{ jobs: RetryTarget[] }>(`/api/jobs/${id}/retry-preview?downstream=${downstream}`),
  retry: (id: number, downstream: boolean) => post<{ retried: number[] }>(`/api/jobs/${id}/retry`, { downstream }),
  workflowRetryPreview: (id: number) => call<{ jobs: RetryTarget[] }>(`/api/workflows/${id}/retry-preview`),
  retryWorkflow: (id: number) => post<{ retried: number[] }>(`/api/workflows/${id}/retry`),
  cancel: (id: number) => post<Job>(`/api/jobs/${id}/cancel`),
  abort: (id: number) => post<Job>(`/api/jobs/${id}/abort`),
  remove: (id: number) => call<{ id: number }>(`/api/jobs/${id}`, { method: 'DELETE' }),
  bulk: (filter: Record<string, unknown>, action: BulkAction, dryRun: boolean) => post<BulkResult>('/api/jobs/bulk', { filter, action, dryRun }),
  defer: (body: unknown) => post<{ id: number }>('/api/jobs', body),
  stats: () => call<SharedOverview>('/api/stats'),
  workflows: (search: string) => call<{ workflows: WorkflowSummary[]; next: number | null }>(`/api/workflows?${search}`),
  queues: () => call<{ queues: QueueSummary[] }>('/api/queues'),
  tasks: () => call<{ tasks: TaskSummary[] }>('/api/tasks'),
  taskActivity: () => call<{ tasks: TaskActivity[] }>('/api/tasks/activity'),
  workers: () => call<{ workers: WorkerSummary[] }>('/api/workers'),
  signIn: (username: string, password: string) => post<{ user: Actor }>('/api/session', { username, password }),
  signOut: () => call<{ signedOut: true }>('/api/session', { method: 'DELETE' }),
  changePassword: (current: string, password: string) => post<{ changed: true }>('/api/session/password', { current, password }),
  users: () => call<{ users: User[] }>('/api/users'),
  addUser: (username: string, role: Role) => post<{ user: User; password: string }>('/api/users', { username, role }),
  changeUser: (username: string, change: { role?: Role; resetPassword?: true }) =>
    call<{ user: User; password?: string }>(`/api/users/${encodeURIComponent(username)}`, { method: 'PATCH', body: JSON.stringify(change) }),
  removeUser: (username: string) => call<{ removed: true }>(`/api/users/${encodeURIComponent(username)}`, { method: 'DELETE' }),
  tokens: () => call<{ tokens: ApiToken[] }>('/api/tokens'),
  addToken: (name: string, role: Role) => post<{ token: string; apiToken: ApiToken }>('/api/tokens', { name, role }),
  revokeToken: (id: number) => call<{ apiToken: ApiToken }>(`/api/tokens/${id}`, { method: 'DELETE' }),
  settings: () => call<Settings>('/api/settings'),
  updateSettings: (changes: Partial<Settings>) => call<Settings>('/api/settings', { method: 'PATCH', body: JSON.stringify(changes) }),
  audit: (search: string) => call<{ entries: AuditEntry[]; next: number | null }>(`/api/audit?${search}`),
}
