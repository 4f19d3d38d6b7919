// Every cache key of the console's data, made in one place: the hooks that read (queries.ts),
// the changes that refresh (mutations.ts) and the live stream (live.tsx) agree on them.
export const queryKeys = {
  jobs: (search: string) => ['jobs', search] as const,
  job: (id: number) => ['job', id] as const,
  jobLogs: (id: number, attempt?: number) => ['job-logs', id, attempt] as const,
  graph: (id: number) => ['graph', id] as const,
  timeline: (id: number) => ['timeline', id] as const,
  stats: ['stats'] as const,
  workflows: (search: string) => ['workflows', search] as const,
  workflowDefinitions: ['workflow-definitions'] as const,
  workflowPreview: (name: string, input: string | null) => ['workflow-preview', name, input] as const,
  runsGrid: (definition: string, runs: number) => ['runs-grid', definition, runs] as const,
  queues: ['queues'] as const,
  schedules: ['schedules'] as const,
  workers: ['workers'] as const,
  tasks: ['tasks'] as const,
  taskActivity: (search: string) => ['task-activity', search] as const,
  taskSeries: (task: string, search: string) => ['task-activity', task, search] as const,
  audit: (search: string) => ['audit', search] as const,
  admin: {
    all: ['admin'] as const,
    users: ['admin', 'users'] as const,
    tokens: ['admin', 'tokens'] as const,
    settings: ['admin', 'settings'] as const,
  },
}

/** The kinds of data no job's change alters (the tasks; a workflow run's preview, each a worker's work): live updates leave them be. */
export const notLive: ReadonlySet<unknown> = new Set([queryKeys.tasks[0], queryKeys.workflowPreview('', null)[0]])
