// Route handlers are thin shells: parse with a schema, call one lib function, map its errors.
import { ZodError, type ZodType, type core } from 'zod'

type ZodIssue = core.$ZodIssue
import { isManaError, type ErrorCode } from '../queue/errors.ts'

const statusByCode: Record<ErrorCode, number> = {
  invalid_job: 422,
  invalid_args: 422,
  duplicate_key: 422,
  unknown_parent: 422,
  unknown_parent_key: 422,
  dependency_cycle: 422,
  queueing_lock_taken: 409,
  job_not_found: 404,
  job_not_retryable: 409,
  job_not_finishable: 409,
  job_not_deletable: 409,
  job_has_unfinished_children: 409,
  job_not_cancellable: 409,
}

export function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status })
}

/** One line per problem; for a body that matches no shape of a union, the nearest shape's problems. */
function describeIssues(issues: readonly ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const nearest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best))
      return describeIssues(nearest, path)
    }
    return [`${path.map(String).join('.') || 'input'}: ${issue.message}`]
  })
}

export function toErrorResponse(error: unknown): Response {
  if (error instanceof ZodError) {
    return errorResponse(400, 'invalid_request', describeIssues(error.issues).join('; '))
  }
  if (isManaError(error)) return errorResponse(statusByCode[error.code], error.code, error.message)
  if (error instanceof SyntaxError) return errorResponse(400, 'invalid_json', `the body is not JSON: ${error.message}`)
  console.error(error)
  return errorResponse(500, 'internal', 'the server failed to answer; see its log')
}

type Context = { params: Promise<Record<string, string>> }

/** Wraps a handler: its value becomes JSON, its errors `{ error: { code, message } }`. */
export function handler(run: (request: Request, params: Record<string, string>) => Promise<unknown>) {
  return async (request: Request, context: Context): Promise<Response> => {
    try {
      const result = await run(request, (await context?.params) ?? {})
      return result instanceof Response ? result : Response.json(result)
    } catch (error) {
      return toErrorResponse(error)
    }
  }
}

export function query<T>(request: Request, schema: ZodType<T>): T {
  return schema.parse(Object.fromEntries(new URL(request.url).searchParams))
}

export async function body<T>(request: Request, schema: ZodType<T>): Promise<T> {
  const text = await request.text()
  return schema.parse(text ? JSON.parse(text) : {})
}
