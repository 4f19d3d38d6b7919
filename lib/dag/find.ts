// Finding jobs in a big workflow, the same way in its graph and its timeline: a search by id or
// task, filters by status and task, and the jobs that need attention (failed, running).
import type { JobStatus } from '../queue/job.ts'

export interface FindQuery {
  /** An id (digits: that job, or tasks containing them), or part of a task's name; case-insensitive. */
  text: string
  status: JobStatus | ''
  task: string
}

export const noQuery: FindQuery = { text: '', status: '', task: '' }
export const isActive = (query: FindQuery) => query.text.trim() !== '' || query.status !== '' || query.task !== ''

type Findable = { id: number; task: string; status: JobStatus }

export function matches(job: Findable, query: FindQuery): boolean {
  if (query.status && job.status !== query.status) return false
  if (query.task && job.task !== query.task) return false
  const text = query.text.trim().toLowerCase()
  if (!text) return true
  return (/^\d+$/.test(text) && job.id === Number(text)) || job.task.toLowerCase().includes(text)
}

export const needsAttention = {
  failed: (job: Findable) => job.status === 'failed' || job.status === 'aborted',
  running: (job: Findable) => job.status === 'doing' || job.status === 'aborting',
}

/** The first of `jobs` (in their order) after `current` that `accept`s, wrapping around; undefined when none does. */
export function nextOf<J extends Findable>(jobs: J[], current: number | undefined, accept: (job: J) => boolean): J | undefined {
  const start = current === undefined ? -1 : jobs.findIndex((job) => job.id === current)
  for (let step = 1; step <= jobs.length; step++) {
    const job = jobs[(start + step + jobs.length) % jobs.length]!
    if (accept(job)) return job
  }
  return undefined
}
