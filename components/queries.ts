'use client'
// TanStack Query hooks over lib/api/client, keyed by query-keys.ts.
import { useQuery } from '@tanstack/react-query'
import { api } from '../lib/api/client.ts'
import { useLive } from './live.tsx'
import { queryKeys } from './query-keys.ts'

/** Poll only when the event stream is down (and not paused). */
function usePolling() {
  const { paused, connected } = useLive()
  return paused || connected ? false : 5000
}

export const useJobs = (search: string) => useQuery({ queryKey: queryKeys.jobs(search), queryFn: () => api.jobs(search), refetchInterval: usePolling(), placeholderData: (previous) => previous })
export const useJob = (id: number) => useQuery({ queryKey: queryKeys.job(id), queryFn: () => api.job(id), refetchInterval: usePolling() })
export const useJobLogs = (id: number, attempt?: number) =>
  useQuery({ queryKey: queryKeys.jobLogs(id, attempt), queryFn: () => api.jobLogs(id, attempt), refetchInterval: usePolling(), placeholderData: (previous) => previous })
export const useGraph = (id: number) => useQuery({ queryKey: queryKeys.graph(id), queryFn: () => api.graph(id), refetchInterval: usePolling() })
export const useTimeline = (id: number, enabled: boolean) =>
  useQuery({ queryKey: queryKeys.timeline(id), queryFn: () => api.timeline(id), refetchInterval: usePolling(), enabled, placeholderData: (previous) => previous })
export const useStats = () => {
  const polling = usePolling()
  // A stale overview means a newer one is being computed: ask again shortly.
  return useQuery({ queryKey: queryKeys.stats, queryFn: api.stats, refetchInterval: (query) => (query.state.data?.stale ? 1000 : polling) })
}
export const useWorkflows = (search: string) =>
  useQuery({ queryKey: queryKeys.workflows(search), queryFn: () => api.workflows(search), refetchInterval: usePolling(), placeholderData: (previous) => previous })
export const useWorkflowDefinitions = () =>
  useQuery({ queryKey: queryKeys.workflowDefinitions, queryFn: api.workflowDefinitions, refetchInterval: usePolling() || 10000 })
export const useQueues = () => useQuery({ queryKey: queryKeys.queues, queryFn: api.queues, refetchInterval: usePolling() || 10000 })
export const useRunsGrid = (definition: string, runs: number) =>
  useQuery({ queryKey: queryKeys.runsGrid(definition, runs), queryFn: () => api.runsGrid(definition, runs), refetchInterval: usePolling() || 10000, placeholderData: (previous) => previous })
export const useSchedules = () => useQuery({ queryKey: queryKeys.schedules, queryFn: api.schedules, refetchInterval: usePolling() || 10000 })
export const useWorkers = () => useQuery({ queryKey: queryKeys.workers, queryFn: api.workers, refetchInterval: 5000 })
export const useTasks = () => useQuery({ queryKey: queryKeys.tasks, queryFn: api.tasks })
export const useTaskActivity = (search = '') =>
  useQuery({ queryKey: queryKeys.taskActivity(search), queryFn: () => api.taskActivity(search), refetchInterval: usePolling() || 10000, placeholderData: (previous) => previous })
export const useTaskSeries = (task: string, search = '') =>
  useQuery({ queryKey: queryKeys.taskSeries(task, search), queryFn: () => api.taskSeries(task, search), refetchInterval: usePolling() || 10000, placeholderData: (previous) => previous })
export const useAudit = (search: string, enabled = true) =>
  useQuery({ queryKey: queryKeys.audit(search), queryFn: () => api.audit(search), enabled, placeholderData: (previous) => previous })
