// /api/openapi.json, generated from the same zod schemas the handlers parse with.
import { z, type ZodType } from 'zod'
import { apiError, bulkBody, deferBody, jobListQuery, retryBody, retryPreviewQuery, workflowListQuery } from './schemas.ts'

const schema = (type: ZodType) => z.toJSONSchema(type, { io: 'input', unrepresentable: 'any' })
const queryParameters = (type: z.ZodObject) =>
  Object.entries(schema(type).properties ?? {}).map(([name, property]) => ({ name, in: 'query', schema: property }))
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } }
const errors = {
  '4XX': { description: 'refused; the code says why', content: { 'application/json': { schema: schema(apiError) } } },
}
const json = (description: string) => ({ description, content: { 'application/json': {} } })
const jsonBody = (type: ZodType) => ({ required: true, content: { 'application/json': { schema: schema(type) } } })

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Mañana', version: '0.1.0', description: 'Jobs, workflows and the actions on them.' },
    paths: {
      '/api/jobs': {
        get: { summary: 'List jobs, newest first (keyset pages)', parameters: queryParameters(jobListQuery), responses: { 200: json('{ jobs, next }'), ...errors } },
        post: { summary: 'Defer a job, or a whole workflow', requestBody: jsonBody(deferBody), responses: { 201: json('{ id } or { ids }'), ...errors } },
      },
      '/api/jobs/bulk': {
        post: { summary: 'Cancel or retry every job a filter matches (dryRun first: how many, a sample)', requestBody: jsonBody(bulkBody), responses: { 200: json('{ matched, applicable, skipped, done, sample }'), ...errors } },
      },
      '/api/jobs/{id}': {
        get: { summary: 'A job with its attempts, events, parents, children and why it is not running', parameters: [idParameter], responses: { 200: json('the job'), ...errors } },
        delete: { summary: 'Delete a job that no unfinished child needs', parameters: [idParameter], responses: { 200: json('{ id, deleted }'), ...errors } },
      },
      '/api/jobs/{id}/cancel': { post: { summary: 'Cancel a todo job', parameters: [idParameter], responses: { 200: json('the job'), ...errors } } },
      '/api/jobs/{id}/abort': { post: { summary: 'Abort a doing job (or cancel a todo one)', parameters: [idParameter], responses: { 200: json('the job'), ...errors } } },
      '/api/jobs/{id}/retry': { post: { summary: 'Run a finished job again, with downstream if asked', parameters: [idParameter], requestBody: jsonBody(retryBody), responses: { 200: json('{ retried }'), ...errors } } },
      '/api/jobs/{id}/retry-preview': { get: { summary: 'What a retry would run again', parameters: [idParameter, ...queryParameters(retryPreviewQuery)], responses: { 200: json('{ jobs }'), ...errors } } },
      '/api/jobs/{id}/graph': { get: { summary: "The job's workflow: nodes and [parent, child] edges", parameters: [idParameter], responses: { 200: json('{ workflowId, nodes, edges }'), ...errors } } },
      '/api/workflows': { get: { summary: 'Workflows, newest first, with counts by status', parameters: queryParameters(workflowListQuery), responses: { 200: json('{ workflows, next }'), ...errors } } },
      '/api/queues': { get: { summary: 'Queues: ready, waiting, scheduled, doing, oldest ready job, workers', responses: { 200: json('{ queues }') } } },
      '/api/tasks': { get: { summary: 'Tasks the workers announced', responses: { 200: json('{ tasks }') } } },
      '/api/workers': { get: { summary: 'Workers and the jobs they run', responses: { 200: json('{ workers }') } } },
      '/api/stats': { get: { summary: 'Counts, the last hour, recent failures, workers', responses: { 200: json('the overview') } } },
      '/api/events': { get: { summary: 'Server-Sent Events: `change` messages { jobIds, workflowIds, refresh }', responses: { 200: { description: 'text/event-stream' } } } },
    },
  }
}
