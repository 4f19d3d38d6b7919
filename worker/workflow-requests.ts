// Requests to run or preview a workflow definition, from the console or the REST API, answered
// by a worker whose app defines it: the request is locked, the run deferred and the answer
// written in one transaction (see the workflow_runs migration), so a run is deferred exactly
// when its requester can read its answer.
import type pg from 'pg'
import { withTransaction } from '../lib/db/transaction.ts'
import { previewedJobs, type WorkflowAnswer } from '../lib/console/workflow-runs.ts'
import type { App } from '../lib/queue/app.ts'
import { isManaError } from '../lib/queue/errors.ts'
import { fromPg, type Queryable } from '../lib/queue/queryable.ts'
import type { WorkflowDefinition } from '../lib/queue/workflow-definition.ts'
import type { Log } from '../lib/observe/log.ts'

/** Where manana_request_workflow() announces requests. */
export const workflowRequestsChannel = 'manana_workflow_requests'

interface Request {
  id: string
  workflow_name: string
  input: Record<string, unknown>
  preview: boolean
}

export class WorkflowRequests {
  private busy?: Promise<void>
  private again = false

  constructor(
    private readonly pool: pg.Pool,
    private readonly app: App,
    private readonly log: Log,
  ) {}

  /** Answers every pending request for the app's workflows (again after the current pass, when one runs). */
  wake(): void {
    if (this.busy) {
      this.again = true
      return
    }
    this.busy = this.answerAll()
      .catch((error) => this.log(`answering workflow requests failed: ${(error as Error).message}`))
      .finally(() => {
        this.busy = undefined
        if (this.again) {
          this.again = false
          this.wake()
        }
      })
  }

  /** Resolves when no pass runs. */
  async settled(): Promise<void> {
    while (this.busy) await this.busy
  }

  private async answerAll(): Promise<void> {
    const names = [...this.app.workflows.keys()]
    while (names.length && (await this.answerOne(names))) {}
  }

  /** Answers the oldest request no other worker holds; false when there was none. */
  private async answerOne(names: string[]): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const {
        rows: [request],
      } = await client.query<Request>(
        `SELECT id, workflow_name, input, preview FROM manana_workflow_requests
         WHERE answer IS NULL AND workflow_name = ANY($1) AND expires_at > clock_timestamp()
         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [names],
      )
      if (request) {
        await client.query('SAVEPOINT answering')
        let answer: WorkflowAnswer
        try {
          answer = await answerOf(this.app.workflows.get(request.workflow_name)!, request, fromPg(client))
        } catch (error) {
          await client.query('ROLLBACK TO SAVEPOINT answering')
          answer = { error: isManaError(error) ? { code: error.code, message: error.message } : { code: 'workflow_build_failed' as const, message: `workflow ${request.workflow_name} failed to build its steps: ${(error as Error).message}` } }
        }
        await client.query('UPDATE manana_workflow_requests SET answer = $2 WHERE id = $1', [request.id, JSON.stringify(answer)])
        this.log(`${request.preview ? 'previewed' : 'deferred'} workflow ${request.workflow_name}${'error' in answer ? ` (refused: ${answer.error.code})` : ''} for request ${request.id}`)
      }
      return request !== undefined
    })
  }
}

async function answerOf(definition: WorkflowDefinition<any, any, any>, request: Request, db: Queryable): Promise<WorkflowAnswer> {
  if (request.preview) {
    const { jobs } = await definition.plan(request.input)
    return {
      total: jobs.length,
      jobs: jobs.slice(0, previewedJobs).map((job) => ({ key: job.key!, task: job.task, args: job.args ?? {}, dependsOn: job.dependsOn ?? [], queue: job.queue ?? null, priority: job.priority ?? 0 })),
    }
  }
  const { workflowId, ids } = await definition.run(request.input, db)
  return { workflow_id: workflowId, jobs: ids }
}
