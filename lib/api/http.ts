// Route handlers are thin shells: parse with a schema, call one lib function, map its errors.
import { ZodError, type ZodType, type core } from 'zod'
import { writeRefusal, type AuditContext } from '../auth/audit.ts'
import type { Actor } from '../auth/roles.ts'
import { consoleContext } from '../console/context.ts'
import { logAuditWriteFailed, logDatabaseBusy, logInternalError } from '../console/log.ts'
import type { Json } from '../console/workflow-views.ts'
import { connectionTimeoutMs, isPoolExhausted } from '../db/pool.ts'
import { isManaError, type ErrorCode } from '../queue/errors.ts'
import { jsonProblem } from '../queue/json-values.ts'
import { authenticate, permit, safeMethods, type Need } from './auth.ts'
import type { ApiResponses, Operation } from './contract.ts'
import { clientAddress } from './client-address.ts'
import { HttpError, isHttpError } from './http-error.ts'

type ZodIssue = core.$ZodIssue

const statusByCode: Record<ErrorCode, number> = {
  invalid_job: 422,
  invalid_args: 422,
  duplicate_key: 422,
  unknown_parent: 422,
  unknown_parent_key: 422,
  dependency_cycle: 422,
  unknown_task: 422,
  parents_mismatch: 422,
  queueing_lock_taken: 409,
  job_not_found: 404,
  workflow_not_found: 404,
  workflow_definition_not_found: 404,
  workflow_unavailable: 503,
  workflow_build_failed: 422,
  job_not_retryable: 409,
  job_not_finishable: 409,
  job_not_deletable: 409,
  job_has_unfinished_children: 409,
  job_not_cancellable: 409,
  invalid_username: 422,
  weak_password: 422,
  password_unchanged: 422,
  user_exists: 409,
  user_not_found: 404,
  last_admin: 409,
  token_not_found: 404,
  // The console's database is not ready for it: an operator must migrate.
  schema_missing: 503,
  schema_behind: 503,
  schema_newer: 503,
  schema_unknown: 503,
  migration_failed: 503,
  invalid_token_name: 422,
  invalid_retention: 422,
  invalid_queue: 422,
  unknown_queue: 404,
  job_not_markable: 409,
  worker_not_found: 404,
  schedule_not_found: 404,
  workflow_too_large: 409,
}

export function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers })
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

export function toErrorResponse(error: unknown, request?: Request): Response {
  if (error instanceof ZodError) {
    return errorResponse(400, 'invalid_request', describeIssues(error.issues).join('; '))
  }
  if (isHttpError(error)) return errorResponse(error.status, error.code, error.message, error.headers)
  if (isManaError(error)) return errorResponse(statusByCode[error.code], error.code, error.message)
  if (error instanceof SyntaxError) return errorResponse(400, 'invalid_json', `the body is not JSON: ${error.message}`)
  if (isPoolExhausted(error)) {
    logDatabaseBusy(request)
    return errorResponse(503, 'database_busy', `every database connection was in use for ${connectionTimeoutMs / 1000} s; try again shortly`)
  }
  logInternalError(request, error)
  return errorResponse(500, 'internal', 'the server failed to answer; see its log')
}

type Context = { params: Promise<Record<string, string>> }

/** What a handler knows of its request beyond the request itself. */
export interface Call {
  params: Record<string, string>
  /** Who is asking (undefined only on routes open to anyone). */
  actor: Actor | undefined
  /** Who and from where, for the audit log. */
  audit: AuditContext
}

declare const answerOf: unique symbol
/** A Response whose JSON body is a `Body` (made by respond()). */
export type TypedResponse<Body> = Response & { readonly [answerOf]: Body }

/** Answers `body` as JSON with a status or headers, typed as the operation's answer. */
export const respond = <Body>(body: Body, init?: ResponseInit) => Response.json(body, init) as TypedResponse<Body>

/**
 * Answers JSON made already (lib/console/workflow-views.ts) with its ETag, typed by what it holds;
 * 304 without a body to a client that names that ETag in If-None-Match (it has this answer).
 */
export function respondWithJson<Body>(json: Json<Body>, request: Request): TypedResponse<Body> {
  if (request.headers.get('if-none-match') === json.etag) return new Response(null, { status: 304, headers: { etag: json.etag } }) as TypedResponse<Body>
  return new Response(json.text, { headers: { 'content-type': 'application/json', etag: json.etag } }) as TypedResponse<Body>
}

/** Operations that answer other than with JSON. */
type NonJsonOperation = 'GET /api/events' | 'GET /api/metrics'
type Answer<Op> = Op extends Operation ? ApiResponses[Op] | TypedResponse<ApiResponses[Op]> : Response

/**
 * Wraps the handler of `Op` (given as its type: handler<'GET /api/jobs'>(…), which types what it
 * answers by lib/api/contract.ts): checks who is asking against the role the route needs
 * (`anyone` for signing in, `signed-in` for a user who must still change a generated password),
 * then makes its value JSON and its errors `{ error: { code, message } }`.
 */
export function handler<Op extends Operation | NonJsonOperation = never>(need: Need, run: (request: Request, call: Call) => Promise<Answer<Op>>) {
  return async (request: Request, context: Context): Promise<Response> => {
    let actor: Actor | undefined
    try {
      actor = await authenticate(request) // known even when permit() refuses, for the audit
      permit(request, actor, need)
      const params = (await context?.params) ?? {}
      refuseUnstorable(params, 'path')
      const call = { params, actor, audit: { actor, source: clientAddress(request) } }
      const result = await run(request, call)
      return result instanceof Response ? result : Response.json(result)
    } catch (error) {
      const code = refusalCode(error)
      if (code && !safeMethods.has(request.method)) await recordRefusal(request, actor, code)
      return toErrorResponse(error, request)
    }
  }
}

/**
 * The code of a change refused before its action ran, or undefined. An action's own failures
 * (ManaErrors) are in the audit already, as are failed sign-ins and password checks.
 */
function refusalCode(error: unknown): string | undefined {
  if (error instanceof ZodError) return 'invalid_request'
  if (error instanceof SyntaxError) return 'invalid_json'
  if (!isHttpError(error) || error.status >= 500) return undefined
  return error.code === 'invalid_credentials' || error.code === 'too_many_attempts' ? undefined : error.code
}

async function recordRefusal(request: Request, actor: Actor | undefined, code: string): Promise<void> {
  try {
    const context = { actor, source: clientAddress(request) }
    await writeRefusal((await consoleContext()).db, context, { method: request.method, path: new URL(request.url).pathname }, code)
  } catch (error) {
    logAuditWriteFailed(error)
  }
}

/** Refuses input PostgreSQL could not store or JavaScript would misread (lib/queue/json-values.ts). */
function refuseUnstorable(value: unknown, where: string): void {
  const problem = jsonProblem(value, where)
  if (problem) throw new HttpError(400, 'invalid_request', problem)
}

export function query<T>(request: Request, schema: ZodType<T>): T {
  const values = Object.fromEntries(new URL(request.url).searchParams)
  refuseUnstorable(values, 'query')
  return schema.parse(values)
}

/** Bodies larger than this are refused (413) unless a route allows more. */
export const defaultMaxBodyBytes = 1024 * 1024
/** JSON nested deeper than this is refused. */
export const maxJsonDepth = 40

/** The request's JSON body, parsed with the schema: bounded in size and depth, JSON only. */
export async function body<T>(request: Request, schema: ZodType<T>, { maxBytes = defaultMaxBodyBytes } = {}): Promise<T> {
  const text = await readText(request, maxBytes)
  if (text && !/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as application/json')
  }
  const value: unknown = text ? JSON.parse(text) : {}
  if (depthOf(value) > maxJsonDepth) throw new HttpError(400, 'too_deep', `JSON nested more than ${maxJsonDepth} levels deep is refused`)
  refuseUnstorable(value, 'body')
  return schema.parse(value)
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new HttpError(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`)
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** How deeply a parsed JSON value nests (without recursion, so any depth is safe to measure). */
function depthOf(value: unknown): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length) {
    const [item, depth] = stack.pop()!
    if (item === null || typeof item !== 'object') continue
    deepest = Math.max(deepest, depth)
    if (deepest > maxJsonDepth) return deepest
    for (const child of Object.values(item)) stack.push([child, depth + 1])
  }
  return deepest
}
