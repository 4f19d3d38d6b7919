// /api/openapi.json, generated from the same zod schemas the handlers parse with.
import { z, type ZodType } from 'zod'
import type { Need } from './auth.ts'
import {
  addTokenBody, addUserBody, apiError, auditQuery, bulkBody, changeUserBody, deferBody, jobListQuery, jobLogsQuery, passwordBody, retryBody,
  retryPreviewQuery, settingsBody, signInBody, workflowListQuery,
} from './schemas.ts'

const schema = (type: ZodType) => z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' })
const queryParameters = (type: z.ZodObject) =>
  Object.entries(schema(type).properties ?? {}).map(([name, property]) => ({ name, in: 'query', schema: property }))
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }
const usernameParameter = { name: 'username', in: 'path', required: true, schema: { type: 'string' } }
const queueParameter = { name: 'name', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 128 } }
const errors = {
  '4XX': { description: 'refused; the code says why', content: { 'application/json': { schema: schema(apiError) } } },
}
const json = (description: string) => ({ description, content: { 'application/json': {} } })
const jsonBody = (type: ZodType) => ({ required: true, content: { 'application/json': { schema: schema(type) } } })

/** An operation, with the role it needs as `x-role` (e2e/roles.spec.ts checks each one is enforced). */
const op = (role: Need, operation: Record<string, unknown>) => ({
  ...operation,
  'x-role': role,
  security: role === 'anyone' ? [] : [{ bearer: [] }, { session: [] }],
})

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mañana',
      version: '0.1.0',
      description: 'Jobs, workflows and the actions on them. Every route but sign-in and health needs a role (x-role): viewer reads, operator acts on jobs, admin manages users, tokens, settings and deletes jobs.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token an admin created' },
        session: { type: 'apiKey', in: 'cookie', name: 'manana_session', description: "A signed-in browser's session; changes also need the console's own Origin" },
      },
    },
    paths: {
      '/api/jobs': {
        get: op('viewer', { summary: 'List jobs, newest first (keyset pages)', parameters: queryParameters(jobListQuery), responses: { 200: json('{ jobs, next, times: { [id]: { deferredAt, startedAt, endedAt } } }'), ...errors } }),
        post: op('operator', { summary: 'Defer a job, or a whole workflow', requestBody: jsonBody(deferBody), responses: { 201: json('{ id } or { ids }'), ...errors } }),
      },
      '/api/jobs/bulk': {
        post: op('operator', { summary: 'Cancel or retry every job a filter matches (dryRun first: how many, a sample)', requestBody: jsonBody(bulkBody), responses: { 200: json('{ matched, applicable, skipped, done, sample }'), ...errors } }),
      },
      '/api/jobs/{id}': {
        get: op('viewer', { summary: 'A job with its attempts, events, parents, children and why it is not running', parameters: [idParameter], responses: { 200: json('the job'), ...errors } }),
        delete: op('admin', { summary: 'Delete a job that no unfinished child needs', parameters: [idParameter], responses: { 200: json('{ id, deleted }'), ...errors } }),
      },
      '/api/jobs/{id}/cancel': { post: op('operator', { summary: 'Cancel a todo job', parameters: [idParameter], responses: { 200: json('the job'), ...errors } }) },
      '/api/jobs/{id}/abort': { post: op('operator', { summary: 'Abort a doing job (or cancel a todo one)', parameters: [idParameter], responses: { 200: json('the job'), ...errors } }) },
      '/api/jobs/{id}/retry': { post: op('operator', { summary: 'Run a finished job again, with downstream if asked', parameters: [idParameter], requestBody: jsonBody(retryBody), responses: { 200: json('{ retried }'), ...errors } }) },
      '/api/jobs/{id}/retry-preview': { get: op('viewer', { summary: 'What a retry would run again', parameters: [idParameter, ...queryParameters(retryPreviewQuery)], responses: { 200: json('{ jobs }'), ...errors } }) },
      '/api/jobs/{id}/graph': { get: op('viewer', { summary: "The job's workflow: nodes and [parent, child] edges", parameters: [idParameter], responses: { 200: json('{ workflowId, nodes, edges }'), ...errors } }) },
      '/api/jobs/{id}/logs': { get: op('viewer', { summary: "The lines the job's task logged, for one attempt (default: the latest that logged), and how many each attempt wrote", parameters: [idParameter, ...queryParameters(jobLogsQuery)], responses: { 200: json('{ attempts, attempt, lines }'), ...errors } }) },
      '/api/jobs/{id}/timeline': { get: op('viewer', { summary: "Where the job's workflow's time went: each job's spans (waiting, queued, running, retry; ms from the first deferral) and the critical path with each job's share", parameters: [idParameter], responses: { 200: json('{ workflowId, origin, now, end, jobs, criticalPath }'), ...errors } }) },
      '/api/workflows': { get: op('viewer', { summary: 'Workflows, newest first, with counts by status', parameters: queryParameters(workflowListQuery), responses: { 200: json('{ workflows, next }'), ...errors } }) },
      '/api/workflows/{id}/retry-preview': { get: op('viewer', { summary: "The jobs a retry of the workflow's failures would run again (its failed and aborted jobs, then every finished job downstream), changing nothing", parameters: [idParameter], responses: { 200: json('{ jobs }'), ...errors } }) },
      '/api/workflows/{id}/retry': { post: op('operator', { summary: "Run the workflow's failed and aborted jobs again, with every finished job downstream of them (audited)", parameters: [idParameter], responses: { 200: json('{ retried }'), ...errors } }) },
      '/api/queues': { get: op('viewer', { summary: 'Queues: ready, waiting, scheduled, doing, oldest ready job, workers, paused since', responses: { 200: json('{ queues }') } }) },
      '/api/queues/{name}/pause': { post: op('operator', { summary: 'Pause a queue: no worker (Python workers included) starts its jobs until it is resumed; running jobs go on', parameters: [queueParameter], responses: { 200: json('{ queue, paused, changed }'), ...errors } }) },
      '/api/queues/{name}/resume': { post: op('operator', { summary: "Resume a paused queue and wake its workers", parameters: [queueParameter], responses: { 200: json('{ queue, paused, changed }'), ...errors } }) },
      '/api/tasks': { get: op('viewer', { summary: 'Tasks the workers announced', responses: { 200: json('{ tasks }') } }) },
      '/api/tasks/activity': { get: op('viewer', { summary: "Each task's runs, failures and p50/p95 run time over the last hour and day, runs by hour, latest failures", responses: { 200: json('{ tasks }') } }) },
      '/api/workers': { get: op('viewer', { summary: 'Workers and the jobs they run', responses: { 200: json('{ workers }') } }) },
      '/api/stats': { get: op('viewer', { summary: 'Counts, the last hour, recent failures, workers', responses: { 200: json('the overview') } }) },
      '/api/audit': { get: op('operator', { summary: 'The audit log, newest first', parameters: queryParameters(auditQuery), responses: { 200: json('{ entries, next }'), ...errors } }) },
      '/api/session': {
        get: op('signed-in', { summary: 'Who is signed in', responses: { 200: json('{ user }'), ...errors } }),
        post: op('anyone', { summary: 'Sign in: sets the session cookie (failures are rate-limited)', requestBody: jsonBody(signInBody), responses: { 200: json('{ user }'), ...errors } }),
        delete: op('signed-in', { summary: 'Sign out', responses: { 200: json('{ signedOut }'), ...errors } }),
      },
      '/api/session/password': { post: op('signed-in', { summary: 'Change your own password (ends your sessions)', requestBody: jsonBody(passwordBody), responses: { 200: json('{ changed }'), ...errors } }) },
      '/api/users': {
        get: op('admin', { summary: 'Users', responses: { 200: json('{ users }'), ...errors } }),
        post: op('admin', { summary: 'Add a user (without a password: a one-time one, returned once)', requestBody: jsonBody(addUserBody), responses: { 201: json('{ user, password? }'), ...errors } }),
      },
      '/api/users/{username}': {
        patch: op('admin', { summary: "Change a user's role, or reset their password", parameters: [usernameParameter], requestBody: jsonBody(changeUserBody), responses: { 200: json('{ user, password? }'), ...errors } }),
        delete: op('admin', { summary: 'Remove a user (never the last admin)', parameters: [usernameParameter], responses: { 200: json('{ username, removed }'), ...errors } }),
      },
      '/api/tokens': {
        get: op('admin', { summary: 'API tokens (never their secrets)', responses: { 200: json('{ tokens }'), ...errors } }),
        post: op('admin', { summary: 'Create an API token: the secret is in this answer only', requestBody: jsonBody(addTokenBody), responses: { 201: json('{ token, apiToken }'), ...errors } }),
      },
      '/api/tokens/{id}': { delete: op('admin', { summary: 'Revoke an API token', parameters: [idParameter], responses: { 200: json('{ apiToken }'), ...errors } }) },
      '/api/settings': {
        get: op('admin', { summary: 'Console settings', responses: { 200: json('the settings'), ...errors } }),
        patch: op('admin', { summary: 'Change console settings', requestBody: jsonBody(settingsBody), responses: { 200: json('the settings'), ...errors } }),
      },
      '/api/health': { get: op('anyone', { summary: 'The console is up and reaches its database', responses: { 200: json('{ ok }') } }) },
      '/api/openapi.json': { get: op('viewer', { summary: 'This document', responses: { 200: json('OpenAPI 3.1') } }) },
      '/api/events': { get: op('viewer', { summary: 'Server-Sent Events: `change` messages { jobIds, workflowIds, refresh }', responses: { 200: { description: 'text/event-stream' } } }) },
    },
  }
}
