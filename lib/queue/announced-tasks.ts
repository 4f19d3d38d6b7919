// Deferring as the workers' own code would, for callers that do not have that code (the console,
// the REST API, the CLI): a task that no worker announced is refused, unless the caller says it
// knows better (the tasks of Python workers, which announce none). Each job takes the queue,
// priority and locks that its task's workers announced where it sets none: that rule is
// manana_defer_jobs's, for every writer (migration 20261206600000_announced_defaults_and_step_keys).
import { deferJobs, deferKeyed, type JobToDefer, type Workflow, type WorkflowOptions } from './defer.ts'
import { ManaError } from './errors.ts'
import type { Queryable } from './queryable.ts'

export interface AnnouncedDeferOptions extends WorkflowOptions {
  /** Defer tasks that no worker announced, with the queue and priority given or the defaults. */
  allowUnknownTask?: boolean
}

async function announcedTasks(db: Queryable, names: string[]): Promise<Set<string>> {
  const rows = await db.query<{ name: string }>('SELECT name FROM manana_tasks WHERE name = ANY ($1)', [names])
  return new Set(rows.map((row) => row.name))
}

/** Defers jobs atomically with their announced tasks' defaults; returns their ids in order. */
export async function deferAsAnnounced(db: Queryable, jobs: JobToDefer[], { allowUnknownTask = false, ...workflow }: AnnouncedDeferOptions = {}): Promise<number[]> {
  const names = [...new Set(jobs.map((job) => job.task).filter((name) => typeof name === 'string'))]
  const announced = await announcedTasks(db, names)
  const unknown = names.filter((name) => !announced.has(name))
  if (unknown.length && !allowUnknownTask) {
    const listed = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? ` and ${unknown.length - 5} more` : '')
    throw new ManaError(
      'unknown_task',
      `no worker has announced task ${listed}: check the name, or allow unknown tasks (allowUnknownTask) for the tasks of workers that announce none, as Python's`,
    )
  }
  return deferJobs(db, jobs, workflow)
}

/** A workflow deferred so; returns the new job ids by key. */
export function deferWorkflowAsAnnounced<W extends Workflow>(db: Queryable, workflow: W, options: AnnouncedDeferOptions = {}) {
  return deferKeyed((jobs) => deferAsAnnounced(db, jobs, options), workflow)
}
