// The HTTP API's inputs, shared by the route handlers (which parse with them) and the browser.
import { z } from 'zod'
import { roles } from '../auth/roles.ts'
import { maxWorkflowJobs, runWhenRules } from '../queue/defer.ts'
import { jobOrders } from '../queue/job-manager.ts'
import { finishedStatuses } from '../queue/prune.ts'
import { jobStatuses, workflowStatuses } from '../queue/job.ts'
import { maxGridRuns } from '../console/runs-grid.ts'
import { jobRangeKinds, rangeNames, rangeProblem, type TimeRange } from '../console/time-range.ts'

/** A job's (or token's) id: a positive integer, as a JSON number or in plain decimal digits in a
 * path or query (not " 1", "0x1" or "1e3", which Number() would also read as numbers). */
const id = z.union([
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  z.string().regex(/^[1-9][0-9]{0,15}$/, 'a positive integer').transform(Number).pipe(z.number().max(Number.MAX_SAFE_INTEGER)),
])
const name = z.string().min(1).max(128)

/** `user_id:42,region:"eu"` → { user_id: 42, region: 'eu' }: each value is JSON when it parses, else text. */
export function parseArgsFilter(text: string): Record<string, unknown> {
  const filter: Record<string, unknown> = {}
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.indexOf(':')
    if (colon < 1) throw new Error(`"${part}" is not key:value`)
    const raw = part.slice(colon + 1).trim()
    let value: unknown = raw
    try {
      value = JSON.parse(raw)
    } catch {}
    const key = part.slice(0, colon).trim()
    if (key === '__proto__') throw new Error('the key __proto__ is not allowed') // it would set the prototype, not a key
    filter[key] = value
  }
  return filter
}

/** ?range=1h, or ?from=…&to=… (ISO 8601, either or both): see lib/console/time-range.ts. */
const timeRange = {
  range: z.enum(rangeNames).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
}
const validRange = [(query: TimeRange) => rangeProblem(query) === null, { message: 'give range (15m, 1h, 24h or 7d), or from and to with from before to' }] as const

/** A time range alone: the Tasks page's figures. */
export const timeRangeQuery = z.object(timeRange).strict().refine(...validRange)

/** An argument filter names at most this many keys. */
export const maxArgsFilterKeys = 20

export const jobListQuery = z.object({
  order: z.enum(jobOrders).optional(),
  status: z
    .string()
    .transform((text) => text.split(',').filter(Boolean))
    .pipe(z.array(z.enum(jobStatuses)).max(7))
    .optional(),
  queue: name.optional(),
  task: name.optional(),
  lock: z.string().max(1000).optional(),
  id: id.optional(),
  args: z
    .string()
    .max(2000)
    .transform((text, ctx) => {
      try {
        const filter = parseArgsFilter(text)
        if (Object.keys(filter).length > maxArgsFilterKeys) throw new Error(`at most ${maxArgsFilterKeys} keys`)
        return filter
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `args: ${(error as Error).message}; expected key:value,key:value` })
        return z.NEVER
      }
    })
    .optional(),
  ...timeRange,
  /** What the range is of: the jobs' deferral (the default), or an attempt's end. */
  rangeOf: z.enum(jobRangeKinds).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  after: id.optional(),
}).strict().refine(...validRange)
export type JobListQuery = z.infer<typeof jobListQuery>

const jsonObject = z.record(z.string(), z.unknown())
/** One job's arguments, as JSON, are at most this large (a workflow's body may hold 10,000 jobs). */
export const maxArgsBytes = 256 * 1024

/** A JSON object of at most maxArgsBytes: a job's arguments, a workflow run's input. */
const boundedObject = jsonObject.refine((value) => Buffer.byteLength(JSON.stringify(value)) <= maxArgsBytes, `at most ${maxArgsBytes} bytes of JSON`)

const deferOptions = {
  args: boundedObject.optional(),
  queue: name.optional(),
  priority: z.number().int().min(-2147483648).max(2147483647).optional(),
  lock: z.string().max(1000).nullish(),
  queueingLock: z.string().max(1000).nullish(),
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
  scheduleIn: z.number().min(0).optional(),
  runWhen: z.enum(runWhenRules).optional(),
}

/** Defer a task no worker announced (a Python worker's): otherwise refused as unknown_task. */
const allowUnknownTask = z.boolean().optional()

export const deferJobBody = z.object({ task: name, ...deferOptions, dependsOn: z.array(id).max(maxWorkflowJobs).optional(), allowUnknownTask }).strict()

export const deferWorkflowBody = z
  .object({
    workflow: z
      .record(z.string().min(1).max(128), z.object({ task: name, ...deferOptions, dependsOn: z.array(z.union([id, z.string().min(1)])).max(maxWorkflowJobs).optional() }).strict())
      .refine((workflow) => Object.keys(workflow).length > 0 && Object.keys(workflow).length <= maxWorkflowJobs, `a workflow has 1 to ${maxWorkflowJobs.toLocaleString('en')} jobs`),
    /** Shown and searched in the console (default: the first job's key). */
    name: z.string().min(1).max(200).optional(),
    allowUnknownTask,
  })
  .strict()

export const deferBody = z.union([deferJobBody, deferWorkflowBody])

/** Run (or preview) a workflow definition a worker announced: its name and input (default: {}). */
export const runWorkflowBody = z
  .object({
    name: z.string().min(1).max(200),
    input: boundedObject.default({}),
  })
  .strict()

/** The filter of a bulk action: the jobs list's filters, as JSON. */
export const jobFilter = z
  .object({
    status: z.array(z.enum(jobStatuses)).max(7).optional(),
    queue: name.optional(),
    task: name.optional(),
    lock: z.string().max(1000).optional(),
    ids: z.array(id).max(1000).optional(),
    args: jsonObject.refine((args) => Object.keys(args).length <= maxArgsFilterKeys, `at most ${maxArgsFilterKeys} argument keys`).optional(),
    /** Jobs deferred (or, rangeOf ended, with an attempt that ended) from (ISO 8601, included) and before (left out): the bounds a list answered with. */
    from: timeRange.from,
    to: timeRange.to,
    rangeOf: z.enum(jobRangeKinds).optional(),
  })
  .strict()
  .refine(...validRange)

export const bulkBody = z.object({ filter: jobFilter, action: z.enum(['cancel', 'retry']), dryRun: z.boolean().default(true) }).strict()

/** Deleting old jobs: an age (seconds, or 7d, 12h…), finished statuses, a queue; counted first with dryRun (the default). */
export const pruneBody = z.object({
  olderThan: z.union([z.number().min(0), z.string().max(32)]),
  statuses: z.array(z.enum(finishedStatuses)).min(1).optional(),
  queue: z.string().min(1).max(128).optional(),
  dryRun: z.boolean().default(true),
}).strict()

export const retryBody = z.object({ downstream: z.boolean().default(false) }).strict()
/** Marking a job succeeded by hand: the result its children will read (null if left out). */
export const markSucceededBody = z.object({ result: z.unknown().optional() }).strict()
export const retryPreviewQuery = z.object({ downstream: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') }).strict()
export const jobIdParams = z.object({ id })
/** A path's queue name. */
export const queueParams = z.object({ name })
/** A schedule: its task, and its periodic id ('' for a task's only one). */
export const scheduleBody = z.object({ task: name, periodicId: z.string().max(128).default('') }).strict()
/** A path's task name, or workflow definition's. */
export const nameParams = z.object({ name })
/** How many runs a definition's grid shows. */
export const runsGridQuery = z.object({ runs: z.coerce.number().int().min(1).max(maxGridRuns).default(25) }).strict()
/** Pausing a queue: `force` pauses one that no job, task or worker knows yet; `reason` says why. */
export const pauseBody = z.object({ force: z.boolean().default(false), reason: z.string().max(500).optional() }).strict()
/** A path's numeric id (a job's, a token's). */
export const idParams = jobIdParams
/** Attempt 0: what Mañana recorded before any run (a cancellation by a step's rule). */
export const jobLogsQuery = z.object({ attempt: z.coerce.number().int().min(0).max(1_000_000).optional() }).strict()
export const workflowListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(25),
    after: id.optional(),
    name: z.string().min(1).max(200).optional(),
    status: z.enum(workflowStatuses).optional(),
    ...timeRange,
  })
  .strict()
  .refine(...validRange)

/** Every API error: a stable code, a message a person can act on. */
export const apiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

const role = z.enum(roles)
const password = z.string().max(1024)

export const signInBody = z.object({ username: z.string().min(1).max(64), password }).strict()
export const passwordBody = z.object({ current: password, password }).strict()
export const addUserBody = z.object({ username: z.string().min(1).max(64), role, password: password.optional() }).strict()
/** An admin changes a user's role, or resets their password to a generated one-time password. */
export const changeUserBody = z
  .object({ role: role.optional(), resetPassword: z.literal(true).optional() })
  .strict()
  .refine((change) => change.role !== undefined || change.resetPassword, 'give a role, or resetPassword: true')
export const usernameParams = z.object({ username: z.string().min(1).max(64) })
export const addTokenBody = z.object({ name: z.string().min(1).max(64), role }).strict()
export const settingsBody = z.object({ hideValuesFromViewers: z.boolean().optional() }).strict()

export const auditQuery = z.object({
  actor: z.string().max(128).optional(),
  action: z.string().max(64).optional(),
  outcome: z.string().max(64).optional(),
  jobId: id.optional(),
  ...timeRange,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: id.optional(),
}).strict().refine(...validRange)
export type AuditQuery = z.infer<typeof auditQuery>
