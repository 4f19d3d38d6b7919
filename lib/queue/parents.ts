// A task may declare the tasks its parents run, by key: { process: processData } (one parent
// running process_data) or { downloads: [downloadData] } (any number of them). Its handler's
// `ctx.parents()` then gives each key's parent (or parents) with their status and, once they
// succeeded, their results, typed as those tasks' results.
import { ManaError } from './errors.ts'
import type { JobStatus } from './job.ts'
import type { Task } from './task.ts'

type AnyTask = Task<any, any, any, any>
export type ParentSpec = Record<string, AnyTask | readonly [AnyTask]>

/** A finished parent: its result once it succeeded, null otherwise. */
export type Parent<Result> =
  | { id: number; status: 'succeeded'; result: Result }
  | { id: number; status: Exclude<JobStatus, 'succeeded'>; result: null }

type ResultOf<T> = T extends Task<any, infer Result, any, any> ? Result : never

export type ParentsOf<Spec extends ParentSpec> = {
  [Key in keyof Spec]: Spec[Key] extends readonly [infer Each] ? Array<Parent<ResultOf<Each>>> : Parent<ResultOf<Spec[Key]>>
}

export interface ParentJob {
  id: number
  task: string
  status: JobStatus
  result: unknown
}

/** Each declared key's parent(s) among the job's parents, by task; parents_mismatch when a single one is missing or not alone. */
export function matchParents<Spec extends ParentSpec>(spec: Spec, parents: ParentJob[], jobId: number): ParentsOf<Spec> {
  const entries = Object.entries(spec).map(([key, declared]) => {
    const many = Array.isArray(declared)
    const task = (many ? declared[0] : declared) as AnyTask
    const found = parents
      .filter((parent) => parent.task === task.name)
      .map((parent) => ({ id: parent.id, status: parent.status, result: parent.status === 'succeeded' ? parent.result : null }))
    if (!many && found.length !== 1) {
      throw new ManaError('parents_mismatch', `job ${jobId}: parent "${key}" runs task ${task.name}, and ${found.length} of its parents do (one was declared)`)
    }
    return [key, many ? found : found[0]]
  })
  return Object.fromEntries(entries) as ParentsOf<Spec>
}
