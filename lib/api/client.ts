// The browser's side of the API: typed fetchers that turn error bodies into ApiErrors.
import type { Role } from '../auth/roles.ts'
import type { Settings } from '../auth/settings.ts'
import type { BulkAction } from '../queue/job-manager.ts'
import type { ApiResponses, Operation } from './contract.ts'

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

/** The last answer with an ETag of a few GETs (graphs, timelines): asked again, the server answers 304 while it is current. */
const tagged = new Map<string, { etag: string; value: unknown }>()
const taggedKept = 8

/** Calls the operation `Op` (its path filled in), typed by what it answers (lib/api/contract.ts). */
async function call<Op extends Operation>(path: string, init?: RequestInit): Promise<ApiResponses[Op]> {
  const known = init?.method ? undefined : tagged.get(path)
  const response = await fetch(path, { ...init, headers: { 'content-type': 'application/json', ...(known && { 'if-none-match': known.etag }), ...init?.headers } })
  if (response.status === 304 && known) return known.value as ApiResponses[Op]
  const text = await response.text()
  const value = text ? JSON.parse(text) : null
  if (response.status === 401) signInAgain()
  if (!response.ok) throw new ApiError(response.status, value?.error?.code ?? 'http_error', value?.error?.message ?? response.statusText)
  const etag = response.headers.get('etag')
  tagged.delete(path)
  if (!init?.method && etag) tagged.set(path, { etag, value })
  for (const oldest of tagged.keys()) if (tagged.size > taggedKept) tagged.delete(oldest)
  return value as ApiResponses[Op]
}

const post = <Op extends Operation>(path: string, body: unknown = {}) => call<Op>(path, { method: 'POST', body: JSON.stringify(body) })

export const api = {
  jobs: (search: string) => call<'GET /api/jobs'>(`/api/jobs?${search}`),
  job: (id: number) => call<'GET /api/jobs/{id}'>(`/api/jobs/${id}`),
  graph: (id: number) => call<'GET /api/jobs/{id}/graph'>(`/api/jobs/${id}/graph`),
  timeline: (id: number) => call<'GET /api/jobs/{id}/timeline'>(`/api/jobs/${id}/timeline`),
  jobLogs: (id: number, attempt?: number) => call<'GET /api/jobs/{id}/logs'>(`/api/jobs/${id}/logs${attempt === undefined ? '' : `?attempt=${attempt}`}`),
  pauseQueue: (name: string, reason?: string) => post<'POST /api/queues/{name}/pause'>(`/api/queues/${encodeURIComponent(name)}/pause`, reason ? { reason } : {}),
  resumeQueue: (name: string) => post<'POST /api/queues/{name}/resume'>(`/api/queues/${encodeURIComponent(name)}/resume`),
  retryPreview: (id: number, downstream: boolean) => call<'GET /api/jobs/{id}/retry-preview'>(`/api/jobs/${id}/retry-preview?downstream=${downstream}`),
  retry: (id: number, downstream: boolean) => post<'POST /api/jobs/{id}/retry'>(`/api/jobs/${id}/retry`, { downstream }),
  runsGrid: (definition: string, runs = 25) => call<'GET /api/workflows/definitions/{name}/runs'>(`/api/workflows/definitions/${encodeURIComponent(definition)}/runs?runs=${runs}`),
  schedules: () => call<'GET /api/schedules'>('/api/schedules'),
  runSchedule: (task: string, periodicId: string) => post<'POST /api/schedules/run'>('/api/schedules/run', { task, periodicId }),
  pauseSchedule: (task: string, periodicId: string) => post<'POST /api/schedules/pause'>('/api/schedules/pause', { task, periodicId }),
  resumeSchedule: (task: string, periodicId: string) => post<'POST /api/schedules/resume'>('/api/schedules/resume', { task, periodicId }),
  stopWorker: (id: number) => post<'POST /api/workers/{id}/stop'>(`/api/workers/${id}/stop`, {}),
  markSucceeded: (id: number, result: unknown) => post<'POST /api/jobs/{id}/mark-succeeded'>(`/api/jobs/${id}/mark-succeeded`, { result }),
  workflowDefinitions: () => call<'GET /api/workflows/definitions'>('/api/workflows/definitions'),
  workflowRetryPreview: (id: number) => call<'GET /api/workflows/{id}/retry-preview'>(`/api/workflows/${id}/retry-preview`),
  retryWorkflow: (id: number) => post<'POST /api/workflows/{id}/retry'>(`/api/workflows/${id}/retry`),
  previewWorkflow: (name: string, input: Record<string, unknown>) => post<'POST /api/workflows/preview'>('/api/workflows/preview', { name, input }),
  runWorkflow: (name: string, input: Record<string, unknown>) => post<'POST /api/workflows'>('/api/workflows', { name, input }),
  cancel: (id: number) => post<'POST /api/jobs/{id}/cancel'>(`/api/jobs/${id}/cancel`),
  abort: (id: number) => post<'POST /api/jobs/{id}/abort'>(`/api/jobs/${id}/abort`),
  remove: (id: number) => call<'DELETE /api/jobs/{id}'>(`/api/jobs/${id}`, { method: 'DELETE' }),
  prune: (rule: { olderThan: string; statuses?: string[]; queue?: string }, dryRun: boolean) => post<'POST /api/jobs/prune'>('/api/jobs/prune', { ...rule, dryRun }),
  bulk: (filter: Record<string, unknown>, action: BulkAction, dryRun: boolean) => post<'POST /api/jobs/bulk'>('/api/jobs/bulk', { filter, action, dryRun }),
  defer: (body: unknown) => post<'POST /api/jobs'>('/api/jobs', body),
  stats: () => call<'GET /api/stats'>('/api/stats'),
  workflows: (search: string) => call<'GET /api/workflows'>(`/api/workflows?${search}`),
  queues: () => call<'GET /api/queues'>('/api/queues'),
  tasks: () => call<'GET /api/tasks'>('/api/tasks'),
  taskActivity: (search = '') => call<'GET /api/tasks/activity'>(`/api/tasks/activity${search ? `?${search}` : ''}`),
  taskSeries: (task: string, search = '') => call<'GET /api/tasks/{name}/activity'>(`/api/tasks/${encodeURIComponent(task)}/activity${search ? `?${search}` : ''}`),
  workers: () => call<'GET /api/workers'>('/api/workers'),
  signIn: (username: string, password: string) => post<'POST /api/session'>('/api/session', { username, password }),
  signOut: () => call<'DELETE /api/session'>('/api/session', { method: 'DELETE' }),
  changePassword: (current: string, password: string) => post<'POST /api/session/password'>('/api/session/password', { current, password }),
  users: () => call<'GET /api/users'>('/api/users'),
  addUser: (username: string, role: Role) => post<'POST /api/users'>('/api/users', { username, role }),
  changeUser: (username: string, change: { role?: Role; resetPassword?: true }) =>
    call<'PATCH /api/users/{username}'>(`/api/users/${encodeURIComponent(username)}`, { method: 'PATCH', body: JSON.stringify(change) }),
  removeUser: (username: string) => call<'DELETE /api/users/{username}'>(`/api/users/${encodeURIComponent(username)}`, { method: 'DELETE' }),
  tokens: () => call<'GET /api/tokens'>('/api/tokens'),
  addToken: (name: string, role: Role) => post<'POST /api/tokens'>('/api/tokens', { name, role }),
  revokeToken: (id: number) => call<'DELETE /api/tokens/{id}'>(`/api/tokens/${id}`, { method: 'DELETE' }),
  settings: () => call<'GET /api/settings'>('/api/settings'),
  updateSettings: (changes: Partial<Settings>) => call<'PATCH /api/settings'>('/api/settings', { method: 'PATCH', body: JSON.stringify(changes) }),
  audit: (search: string) => call<'GET /api/audit'>(`/api/audit?${search}`),
}
