// /api/openapi.json: requests from the same zod schemas the handlers parse with, answers from the
// JSON Schemas generated from lib/api/contract.ts (response-schemas.json).
import { z, type ZodType } from 'zod'
import type { Need } from './auth.ts'
import type { Operation } from './contract.ts'
import responseSchemas from './response-schemas.json' with { type: 'json' }
import {
  addTokenBody, addUserBody, apiError, auditQuery, bulkBody,
  changeUserBody, deferBody, jobListQuery, jobLogsQuery, passwordBody, pauseBody, pruneBody, retryBody,
  markSucceededBody, retryPreviewQuery, runsGridQuery, runWorkflowBody, scheduleBody, settingsBody, signInBody, timeRangeQuery, workflowListQuery,
} from './schemas.ts'

const schema = (type: ZodType) => z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' })
const queryParameters = (type: z.ZodObject) =>
  Object.entries(schema(type).properties ?? {}).map(([name, property]) => ({ name, in: 'query', schema: property }))
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }
const usernameParameter = { name: 'username', in: 'path', required: true, schema: { type: 'string' } }
/** A queue's or a task's name in a path. */
const nameParameter = { name: 'name', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 128 } }
const errors = {
  '4XX': { description: 'Refused: the code says why', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } },
}
const jsonBody = (type: ZodType) => ({ required: true, content: { 'application/json': { schema: schema(type) } } })

/**
 * An operation: its id, the role it needs as `x-role` (e2e/roles.spec.ts checks each one is
 * enforced), its answer's schema (by its key in lib/api/contract.ts) and its refusals.
 */
const op = (key: Operation, operationId: string, role: Need, operation: Record<string, unknown>, status = 200) => ({
  operationId,
  ...operation,
  'x-role': role,
  security: role === 'anyone' ? [] : [{ bearer: [] }, { session: [] }],
  responses: {
    [status]: {
      description: String(operation.summary),
      content: { 'application/json': { schema: responseSchemas.operations[key as keyof typeof responseSchemas.operations] } },
    },
    ...errors,
  },
})

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mañana',
      version: '0.1.0',
      license: { name: 'MIT', identifier: 'MIT' },
      description: 'Jobs, workflows and the actions on them. Every route but sign-in and health needs a role (x-role): viewer reads, operator acts on jobs, admin manages users, tokens, settings and deletes jobs.',
    },
    servers: [{ url: '/', description: 'This console' }],
    components: {
      schemas: { ...responseSchemas.definitions, ApiError: schema(apiError) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token an admin created' },
        session: { type: 'apiKey', in: 'cookie', name: 'manana_session', description: "A signed-in browser's session; changes also need the console's own Origin" },
      },
    },
    paths: {
      '/api/jobs': {
        get: op('GET /api/jobs', 'listJobs', 'viewer', { summary: 'Jobs newest or oldest first (keyset pages), or the slowest, with when each was deferred, started and ended', parameters: queryParameters(jobListQuery) }),
        post: op('POST /api/jobs', 'deferJobs', 'operator', { summary: 'Defer a job, or a whole workflow', requestBody: jsonBody(deferBody) }, 201),
      },
      '/api/jobs/bulk': {
        post: op('POST /api/jobs/bulk', 'actOnMatchingJobs', 'operator', { summary: 'Cancel or retry every job a filter matches (dryRun first: how many, a sample)', requestBody: jsonBody(bulkBody) }),
      },
      '/api/jobs/prune': {
        post: op('POST /api/jobs/prune', 'pruneJobs', 'admin', { summary: 'Delete finished jobs older than an age, batch by batch (dryRun, the default: only count them); never one an unfinished child needs; audited', requestBody: jsonBody(pruneBody) }),
      },
      '/api/jobs/{id}': {
        get: op('GET /api/jobs/{id}', 'getJob', 'viewer', { summary: 'A job with its attempts, events, parents, children, time and why it is not running', parameters: [idParameter] }),
        delete: op('DELETE /api/jobs/{id}', 'deleteJob', 'admin', { summary: 'Delete a job that no unfinished child needs', parameters: [idParameter] }),
      },
      '/api/jobs/{id}/cancel': { post: op('POST /api/jobs/{id}/cancel', 'cancelJob', 'operator', { summary: 'Cancel a todo job', parameters: [idParameter] }) },
      '/api/jobs/{id}/abort': { post: op('POST /api/jobs/{id}/abort', 'abortJob', 'operator', { summary: 'Abort a doing job (or cancel a todo one)', parameters: [idParameter] }) },
      '/api/jobs/{id}/mark-succeeded': { post: op('POST /api/jobs/{id}/mark-succeeded', 'markJobSucceeded', 'operator', { summary: "Mark a job that failed, was aborted or was cancelled as succeeded, with a result: its children cancelled by their rule (all_succeeded) for it run again, with what finished after them (audited)", parameters: [idParameter], requestBody: jsonBody(markSucceededBody) }) },
      '/api/jobs/{id}/retry': { post: op('POST /api/jobs/{id}/retry', 'retryJob', 'operator', { summary: 'Run a finished job again, with downstream if asked', parameters: [idParameter], requestBody: jsonBody(retryBody) }) },
      '/api/jobs/{id}/retry-preview': { get: op('GET /api/jobs/{id}/retry-preview', 'previewJobRetry', 'viewer', { summary: 'What a retry would run again', parameters: [idParameter, ...queryParameters(retryPreviewQuery)] }) },
      '/api/jobs/{id}/graph': { get: op('GET /api/jobs/{id}/graph', 'getJobGraph', 'viewer', { summary: "The job's workflow: nodes and [parent, child] edges", parameters: [idParameter] }) },
      '/api/jobs/{id}/logs': { get: op('GET /api/jobs/{id}/logs', 'getJobLogs', 'viewer', { summary: "The lines the job's task logged, for one attempt (default: the latest that logged), and how many each attempt wrote", parameters: [idParameter, ...queryParameters(jobLogsQuery)] }) },
      '/api/jobs/{id}/timeline': { get: op('GET /api/jobs/{id}/timeline', 'getJobTimeline', 'viewer', { summary: "Where the job's workflow's time went: each job's spans (waiting, queued, running, retry; ms from the first deferral) and the critical path with each job's share", parameters: [idParameter] }) },
      '/api/workflows': {
        get: op('GET /api/workflows', 'listWorkflows', 'viewer', { summary: 'Workflows, newest first, with their status, times and counts by status', parameters: queryParameters(workflowListQuery) }),
        post: op('POST /api/workflows', 'runWorkflow', 'operator', { summary: "Run a workflow definition with an input: a worker that defines it defers the run atomically (503 workflow_unavailable when none answers within 10 s; audited)", requestBody: jsonBody(runWorkflowBody) }, 201),
      },
      '/api/workflows/preview': { post: op('POST /api/workflows/preview', 'previewWorkflowRun', 'operator', { summary: 'The jobs and edges a run of a workflow definition with this input would defer, deferring nothing (asked of a worker that defines it)', requestBody: jsonBody(runWorkflowBody) }) },
      '/api/workflows/definitions': { get: op('GET /api/workflows/definitions', 'listWorkflowDefinitions', 'viewer', { summary: "The workflows the workers' apps define (app.workflow), with their input's JSON Schema and their last runs" }) },
      '/api/workflows/{id}/retry-preview': { get: op('GET /api/workflows/{id}/retry-preview', 'previewWorkflowRetry', 'viewer', { summary: "The jobs a retry of the workflow's failures would run again (its failed and aborted jobs, then every finished job downstream), changing nothing", parameters: [idParameter] }) },
      '/api/workflows/{id}/retry': { post: op('POST /api/workflows/{id}/retry', 'retryWorkflow', 'operator', { summary: "Run the workflow's failed and aborted jobs again, with every finished job downstream of them (audited)", parameters: [idParameter] }) },
      '/api/queues': { get: op('GET /api/queues', 'listQueues', 'viewer', { summary: 'Queues: ready, waiting, scheduled, doing, oldest ready job, workers, paused since' }) },
      '/api/queues/{name}/pause': { post: op('POST /api/queues/{name}/pause', 'pauseQueue', 'operator', { summary: 'Pause a queue: no worker (Python workers included) starts its jobs until it is resumed; running jobs go on. A queue no job, task or worker knows is refused (404 unknown_queue) unless force is true', parameters: [nameParameter], requestBody: jsonBody(pauseBody) }) },
      '/api/queues/{name}/resume': { post: op('POST /api/queues/{name}/resume', 'resumeQueue', 'operator', { summary: 'Resume a paused queue and wake its workers', parameters: [nameParameter] }) },
      '/api/tasks': { get: op('GET /api/tasks', 'listTasks', 'viewer', { summary: 'Tasks the workers announced' }) },
      '/api/tasks/activity': { get: op('GET /api/tasks/activity', 'getTaskActivity', 'viewer', { summary: "Each task's runs, failures and p50/p95 run time over the last hour and day (and a time range, if asked), runs by hour, latest failures", parameters: queryParameters(timeRangeQuery) }) },
      '/api/tasks/{name}/activity': { get: op('GET /api/tasks/{name}/activity', 'getTaskSeries', 'viewer', { summary: "One task's runs, failures and p50/p95 run times by the minute (within the last two hours) or by the hour, over a time range (the last 24 hours by default)", parameters: [nameParameter, ...queryParameters(timeRangeQuery)] }) },
      '/api/workflows/definitions/{name}/runs': { get: op('GET /api/workflows/definitions/{name}/runs', 'getRunsGrid', 'viewer', { summary: "A workflow definition's last runs × its steps (as Airflow's grid): each step's job in each run, its status and its last attempt's run time", parameters: [nameParameter, ...queryParameters(runsGridQuery)] }) },
      '/api/schedules': { get: op('GET /api/schedules', 'listSchedules', 'viewer', { summary: "Periodic tasks: those the workers announced (cron, queue, arguments) and those seen only in their ticks (Python workers'), with the next and last tick, the last tick's job and whether each is paused" }) },
      '/api/schedules/run': { post: op('POST /api/schedules/run', 'runSchedule', 'operator', { summary: "Defer a job of an announced schedule now, with its arguments (not a tick: the next one comes as planned; audited)", requestBody: jsonBody(scheduleBody) }) },
      '/api/schedules/pause': { post: op('POST /api/schedules/pause', 'pauseSchedule', 'operator', { summary: 'Pause a schedule: no worker, Python workers included, defers its ticks until it is resumed (audited). A schedule no worker announced and none ticked is refused (404 schedule_not_found)', requestBody: jsonBody(scheduleBody) }) },
      '/api/schedules/resume': { post: op('POST /api/schedules/resume', 'resumeSchedule', 'operator', { summary: 'Resume a paused schedule from its next tick (missed ones are not made up; audited)', requestBody: jsonBody(scheduleBody) }) },
      '/api/workers': { get: op('GET /api/workers', 'listWorkers', 'viewer', { summary: 'Workers: host, pid, version, queues, concurrency, the jobs they run and those claimed ahead, whether they were asked to stop' }) },
      '/api/workers/{id}/stop': { post: op('POST /api/workers/{id}/stop', 'stopWorker', 'operator', { summary: 'Ask a worker to stop gracefully: it reads the request with its next heartbeat, finishes its running jobs, puts back those claimed ahead and exits (audited). Workers of releases before 0.1 and Python workers do not read it', parameters: [idParameter] }) },
      '/api/stats': { get: op('GET /api/stats', 'getOverview', 'viewer', { summary: 'Counts, the last hour, recent failures, workers' }) },
      '/api/audit': { get: op('GET /api/audit', 'listAuditEntries', 'operator', { summary: 'The audit log, newest first', parameters: queryParameters(auditQuery) }) },
      '/api/session': {
        get: op('GET /api/session', 'getSession', 'signed-in', { summary: 'Who is signed in' }),
        post: op('POST /api/session', 'signIn', 'anyone', { summary: 'Sign in: sets the session cookie (failures are rate-limited)', requestBody: jsonBody(signInBody) }),
        delete: op('DELETE /api/session', 'signOut', 'signed-in', { summary: 'Sign out' }),
      },
      '/api/session/password': { post: op('POST /api/session/password', 'changeOwnPassword', 'signed-in', { summary: 'Change your own password (ends your sessions)', requestBody: jsonBody(passwordBody) }) },
      '/api/users': {
        get: op('GET /api/users', 'listUsers', 'admin', { summary: 'Users' }),
        post: op('POST /api/users', 'addUser', 'admin', { summary: 'Add a user (without a password: a one-time one, returned once)', requestBody: jsonBody(addUserBody) }, 201),
      },
      '/api/users/{username}': {
        patch: op('PATCH /api/users/{username}', 'changeUser', 'admin', { summary: "Change a user's role, or reset their password", parameters: [usernameParameter], requestBody: jsonBody(changeUserBody) }),
        delete: op('DELETE /api/users/{username}', 'removeUser', 'admin', { summary: 'Remove a user (never the last admin)', parameters: [usernameParameter] }),
      },
      '/api/tokens': {
        get: op('GET /api/tokens', 'listTokens', 'admin', { summary: 'API tokens (never their secrets)' }),
        post: op('POST /api/tokens', 'createToken', 'admin', { summary: 'Create an API token: the secret is in this answer only', requestBody: jsonBody(addTokenBody) }, 201),
      },
      '/api/tokens/{id}': { delete: op('DELETE /api/tokens/{id}', 'revokeToken', 'admin', { summary: 'Revoke an API token', parameters: [idParameter] }) },
      '/api/settings': {
        get: op('GET /api/settings', 'getSettings', 'admin', { summary: 'Console settings' }),
        patch: op('PATCH /api/settings', 'changeSettings', 'admin', { summary: 'Change console settings', requestBody: jsonBody(settingsBody) }),
      },
      '/api/health': { get: op('GET /api/health', 'getHealth', 'anyone', { summary: 'The console is up and reaches its database' }) },
      '/api/openapi.json': { get: op('GET /api/openapi.json', 'getOpenApiDocument', 'viewer', { summary: 'This document' }) },
      '/api/metrics': {
        get: {
          operationId: 'getMetrics',
          summary: "Prometheus metrics: jobs by queue and status, ready depth and the oldest ready job's age per queue, live workers, claims ahead, deadlocks",
          'x-role': 'viewer',
          security: [{ bearer: [] }, { session: [] }],
          responses: {
            200: { description: 'The text exposition format, version 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } },
            ...errors,
          },
        },
      },
      '/api/events': {
        get: {
          operationId: 'streamChanges',
          summary: 'Server-Sent Events: `change` messages { jobIds, workflowIds, refresh }',
          'x-role': 'viewer',
          security: [{ bearer: [] }, { session: [] }],
          responses: {
            200: { description: 'A stream of `change` events', content: { 'text/event-stream': { schema: { type: 'string' } } } },
            ...errors,
          },
        },
      },
    },
  }
}
