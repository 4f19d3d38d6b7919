// How the console names a job of a workflow: by its step (`download`), with its task beside when
// the two differ; by its task alone when it has no step.

export interface Named {
  task: string
  step: string | null
}

/** The step's key, or the task's name for a job deferred without one. */
export const stepName = (job: Named): string => job.step ?? job.task

/** The task's name when it says more than the step's key (null when they are the same, or there is no step). */
export const taskBeside = (job: Named): string | null => (job.step !== null && job.step !== job.task ? job.task : null)

/** "download (download_data)", "download_data". */
export const stepAndTask = (job: Named): string => (taskBeside(job) ? `${job.step} (${job.task})` : stepName(job))

/** The key a job was spawned under, for a spawned job's key (`process` for `process[12]`: a map step's item, a spawnMany's job), or null. */
export const spawnedAs = (step: string | null): string | null => (step === null ? null : (/^(.*)\[\d+\]$/.exec(step)?.[1] ?? null))
