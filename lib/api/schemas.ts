// The HTTP API's inputs, shared by the route handlers (which parse with them) and the browser.
import { z } from 'zod'
import { jobStatuses } from '../queue/job.ts'

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)
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
    filter[part.slice(0, colon).trim()] = value
  }
  return filter
}

export const jobListQuery = z.object({
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
        return parseArgsFilter(text)
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `args: ${(error as Error).message}; expected key:value,key:value` })
        return z.NEVER
      }
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  after: id.optional(),
})
export type JobListQuery = z.infer<typeof jobListQuery>

const jsonObject = z.record(z.string(), z.unknown())
const deferOptions = {
  args: jsonObject.optional(),
  queue: name.optional(),
  priority: z.number().int().min(-2147483648).max(2147483647).optional(),
  lock: z.string().max(1000).nullish(),
  queueingLock: z.string().max(1000).nullish(),
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
  scheduleIn: z.number().min(0).optional(),
}

export const deferJobBody = z.object({ task: name, ...deferOptions, dependsOn: z.array(id).max(10_000).optional() }).strict()

export const deferWorkflowBody = z
  .object({
    workflow: z
      .record(z.string().min(1).max(128), z.object({ task: name, ...deferOptions, dependsOn: z.array(z.union([id, z.string().min(1)])).max(10_000).optional() }).strict())
      .refine((workflow) => Object.keys(workflow).length > 0 && Object.keys(workflow).length <= 10_000, 'a workflow has 1 to 10,000 jobs'),
  })
  .strict()

export const deferBody = z.union([deferJobBody, deferWorkflowBody])

/** The filter of a bulk action: the jobs list's filters, as JSON. */
export const jobFilter = z
  .object({
    status: z.array(z.enum(jobStatuses)).max(7).optional(),
    queue: name.optional(),
    task: name.optional(),
    lock: z.string().max(1000).optional(),
    ids: z.array(id).max(1000).optional(),
    args: jsonObject.optional(),
  })
  .strict()

export const bulkBody = z.object({ filter: jobFilter, action: z.enum(['cancel', 'retry']), dryRun: z.boolean().default(true) }).strict()

export const retryBody = z.object({ downstream: z.boolean().default(false) }).strict()
export const retryPreviewQuery = z.object({ downstream: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') })
export const jobIdParams = z.object({ id })
export const workflowListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(25), after: id.optional() })

/** Every API error: a stable code, a message a person can act on. */
export const apiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
