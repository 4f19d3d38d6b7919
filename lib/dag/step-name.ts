// How the console names a job of a workflow: by its step (`download`), with its task beside when
// the two differ; by its task alone when it has no step.
import { mapTaskPrefix } from '../queue/map-task.ts'

export interface Named {
  task: string
  step: string | null
}

/** The step's key, or the task's name for a job deferred without one. */
export const stepName = (job: Named): string => job.step ?? job.task

/**
 * The task's name when it says more than the step's key (null when they are the same, or there is
 * no step); a definition's map step says "map" (its task, manana_map:<definition>, says nothing more).
 */
export const taskBeside = (job: Named): string | null => (job.step === null || job.step === job.task ? null : job.task.startsWith(mapTaskPrefix) ? 'map' : job.task)

/** "download (download_data)", "download_data". */
export const stepAndTask = (job: Named): string => {
  const beside = taskBeside(job)
  return beside ? `${job.step} (${beside})` : stepName(job)
}

/** The key a job was spawned under, for a spawned job's key (`process` for `process[12]`: a map step's item, a spawnMany's job), or null. */
export const spawnedAs = (step: string | null): string | null => (step === null ? null : (/^(.*)\[\d+\]$/.exec(step)?.[1] ?? null))
