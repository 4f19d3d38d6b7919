// The critical path of a workflow: the chain of jobs that decided when it finished. From the
// job that ended last, step to the parent that ended last before it started to run, while the
// job had to wait for that parent; each job's share is its end less that parent's end (the
// first's: its end less its deferral). The shares add up to the workflow's duration. While it
// runs, unfinished jobs that are running or queued "end" now (not those waiting for parents or a
// scheduled time): the path leads to what it is doing now.

import { toMicrosecond } from './microseconds.ts'

export interface PathJob {
  id: number
  parents: number[]
  /** When it was deferred (ms). */
  start: number
  /** When it reached a terminal status (ms), or null. */
  end: number | null
  /** Unfinished, and waiting for its parents or its scheduled time: it is not what the workflow waits for. */
  waiting: boolean
}

export interface PathStep {
  id: number
  /** How much of the workflow's duration this job accounts for (ms). */
  share: number
}

export function criticalPath(jobs: PathJob[], now: number): PathStep[] {
  const byId = new Map(jobs.map((job) => [job.id, job]))
  const endOf = (job: PathJob) => job.end ?? now
  let last: PathJob | undefined
  for (const job of jobs) {
    if (job.end === null && job.waiting) continue
    if (!last || endOf(job) > endOf(last) || (endOf(job) === endOf(last) && job.id > last.id)) last = job
  }
  const path: PathStep[] = []
  for (let job = last; job; ) {
    let decisive: PathJob | undefined
    for (const id of job.parents) {
      const parent = byId.get(id)
      if (parent?.end == null) continue
      if (!decisive || parent.end > decisive.end! || (parent.end === decisive.end && parent.id > decisive.id)) decisive = parent
    }
    // A parent that ended before this job was deferred did not hold it up.
    if (decisive && decisive.end! > job.start) {
      path.push({ id: job.id, share: toMicrosecond(endOf(job) - decisive.end!) })
      job = decisive
    } else {
      path.push({ id: job.id, share: toMicrosecond(endOf(job) - job.start) })
      job = undefined
    }
  }
  return path.reverse()
}
