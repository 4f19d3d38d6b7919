// Everything an operator or admin can change from the console or the REST API, each in one
// transaction with its audit row, or, for what commits elsewhere (a workflow run, which a worker
// defers) or in many transactions (deleting old jobs), with its row written after it. Reads are
// elsewhere; this is the only way the console writes.
import type pg from 'pg'
import { createToken, revokeToken } from '../auth/api-tokens.ts'
import { audited, auditedAfter, type AuditContext } from '../auth/audit.ts'
import type { Role } from '../auth/roles.ts'
import { updateSettings, type Settings } from '../auth/settings.ts'
import { addUser, removeUser, setPassword, setRole } from '../auth/users.ts'
import { deferAsAnnounced, deferWorkflowAsAnnounced, type AnnouncedDeferOptions } from '../queue/announced-tasks.ts'
import type { JobToDefer, Workflow } from '../queue/defer.ts'
import { ManaError } from '../queue/errors.ts'
import { JobManager, type BulkAction, type JobFilter } from '../queue/job-manager.ts'
import { pruneJobs, type PruneOptions } from '../queue/prune.ts'
import { QueueManager } from '../queue/queues.ts'
import { fromPg } from '../queue/queryable.ts'
import type { TaskArgs } from '../queue/task.ts'
import { runWorkflow, type WaitOptions } from './workflow-runs.ts'

/** Who acts (for the audit log), and the pool to act through: the console's, or the CLI's. */
type Who = { pool: pg.Pool; audit: AuditContext }

const onJob = (who: Who, action: string, id: number, details: Record<string, unknown>, run: (jobs: JobManager) => Promise<unknown>) =>
  audited(who.pool, who.audit, action, { jobIds: [id], details }, (db) => run(new JobManager(db)))

export const cancelJob = (who: Who, id: number) => onJob(who, 'job.cancel', id, {}, (jobs) => jobs.cancel(id))
export const abortJob = (who: Who, id: number) => onJob(who, 'job.abort', id, {}, (jobs) => jobs.abort(id))
export const deleteJob = (who: Who, id: number) => onJob(who, 'job.delete', id, {}, (jobs) => jobs.delete(id))

export const retryJob = (who: Who, id: number, downstream: boolean) =>
  audited(who.pool, who.audit, 'job.retry', { jobIds: [id], details: { downstream } }, async (db, record) => {
    const retried = await new JobManager(db).retry(id, { downstream })
    record.jobIds = retried
    return retried
  })

/** Marks a job that failed, was aborted or cancelled as succeeded with a result; its record keeps the jobs that run again for it. */
export const markJobSucceeded = (who: Who, id: number, result: unknown) =>
  audited(who.pool, who.audit, 'job.mark_succeeded', { jobIds: [id], details: { result } }, async (db, record) => {
    const reopened = await new JobManager(db).markSucceeded(id, result, who.audit.actor?.name ?? null)
    record.jobIds = [id, ...reopened]
    return reopened
  })

/** Asks a worker to stop gracefully (it reads the request with its next heartbeat); false when it was asked already. */
export const stopWorker = (who: Who, workerId: number) =>
  audited(who.pool, who.audit, 'worker.stop', { details: { workerId } }, async (db) => {
    const [row] = await db.query<{ asked: boolean }>('SELECT manana_request_worker_stop($1, $2) AS asked', [workerId, who.audit.actor?.name ?? null])
    return row!.asked
  })

/** A schedule, by its task and periodic id ('' for a task's only one). */
export interface ScheduleKey {
  task: string
  periodicId: string
}

/** Pauses a schedule: no worker (Python's included) defers its ticks until it is resumed; false when it was paused already. */
export const pauseSchedule = (who: Who, { task, periodicId }: ScheduleKey) =>
  audited(who.pool, who.audit, 'schedule.pause', { details: { task, periodicId } }, async (db) => {
    const [row] = await db.query<{ changed: boolean }>('SELECT manana_pause_schedule($1, $2, $3) AS changed', [task, periodicId, who.audit.actor?.name ?? null])
    return row!.changed
  })

/** Resumes a paused schedule (its missed ticks are not made up); false when it was not paused. */
export const resumeSchedule = (who: Who, { task, periodicId }: ScheduleKey) =>
  audited(who.pool, who.audit, 'schedule.resume', { details: { task, periodicId } }, async (db) => {
    const [row] = await db.query<{ changed: boolean }>('SELECT manana_resume_schedule($1, $2) AS changed', [task, periodicId])
    return row!.changed
  })

/** Defers a job of an announced schedule now, with its arguments and this moment as its tick's timestamp (not a tick: the next one comes as planned). */
export const runScheduleNow = (who: Who, { task, periodicId }: ScheduleKey) =>
  audited(who.pool, who.audit, 'schedule.run', { details: { task, periodicId } }, async (db, record) => {
    const [schedule] = await db.query<{ queue_name: string; args: Record<string, unknown> }>(
      'SELECT queue_name, args FROM manana_schedules WHERE task_name = $1 AND periodic_id = $2',
      [task, periodicId],
    )
    if (!schedule) throw new ManaError('schedule_not_found', `no worker announced a schedule of task ${task}${periodicId ? ` (periodic id ${periodicId})` : ''}: only a schedule a Mañana worker announced can be run from here`)
    const [id] = await deferAsAnnounced(db, [{ task, queue: schedule.queue_name, args: { ...schedule.args, timestamp: Math.floor(Date.now() / 1000) } }])
    record.jobIds = [id!]
    return id!
  })

/** Runs a workflow's failed and aborted jobs again, with everything downstream of them. */
export const retryWorkflow = (who: Who, workflowId: number) =>
  audited(who.pool, who.audit, 'workflow.retry', { details: { workflowId } }, async (db, record) => {
    const retried = await new JobManager(db).retryWorkflow(workflowId)
    record.jobIds = retried
    return retried
  })

/** Pauses a queue (no worker starts its jobs); false when it was paused already. `force`: one nothing knows yet; `reason`: why. */
export const pauseQueue = (who: Who, queue: string, { force = false, reason }: { force?: boolean; reason?: string } = {}) =>
  audited(who.pool, who.audit, 'queue.pause', { details: { queue, ...(force && { force }), ...(reason && { reason }) } }, (db) =>
    new QueueManager(db).pause(queue, who.audit.actor?.name ?? null, { force, reason }),
  )

/** Resumes a paused queue and wakes its workers; false when it was not paused. */
export const resumeQueue = (who: Who, queue: string) =>
  audited(who.pool, who.audit, 'queue.resume', { details: { queue } }, (db) => new QueueManager(db).resume(queue))

/** A bulk cancel or retry; its record keeps the filter and how many jobs it matched and changed. */
export const bulkAction = (who: Who, filter: JobFilter, action: BulkAction) =>
  audited(who.pool, who.audit, `jobs.bulk_${action}`, { details: { filter } }, async (db, record) => {
    const result = await new JobManager(db).bulk(filter, action)
    Object.assign(record.details, { matched: result.matched, changed: result.done, tooMany: result.tooMany })
    return result
  })

/** Defers a job as its task's workers would (lib/queue/announced-tasks.ts). */
export const deferJob = (who: Who, job: JobToDefer, options: AnnouncedDeferOptions = {}) =>
  audited(who.pool, who.audit, 'jobs.defer', { details: { task: job.task, queue: job.queue, args: job.args, dependsOn: job.dependsOn } }, async (db, record) => {
    const [id] = await deferAsAnnounced(db, [job], options)
    record.jobIds = [id!]
    return id!
  })

export const deferJobWorkflow = (who: Who, workflow: Workflow, options: AnnouncedDeferOptions = {}) =>
  audited(who.pool, who.audit, 'jobs.defer', { details: { workflow: summarize(workflow), name: options.name } }, async (db, record) => {
    const ids = await deferWorkflowAsAnnounced(db, workflow, options)
    record.jobIds = Object.values(ids)
    return ids
  })

/**
 * Asks a worker that defines the workflow to run it, then audits the run. No transaction: the
 * worker must see the request, it commits the run, and the wait for its answer holds no
 * connection (a transaction held through it took one pooled connection per run while the run
 * asked the pool for another: ten runs at once locked the console).
 */
export const runWorkflowDefinition = (who: Who, name: string, input: TaskArgs, wait?: WaitOptions) =>
  auditedAfter(who.pool, who.audit, 'workflow.run', { name, input }, async (record) => {
    const run = await runWorkflow(fromPg(who.pool), name, input, wait)
    record.jobIds = Object.values(run.jobs)
    record.details.workflowId = run.workflowId
    return run
  })

/** A workflow in the audit log: how many jobs of each task, not every argument of thousands of jobs. */
function summarize(workflow: Workflow) {
  const tasks: Record<string, number> = {}
  for (const job of Object.values(workflow)) tasks[job.task] = (tasks[job.task] ?? 0) + 1
  return { jobs: Object.keys(workflow).length, tasks }
}

export const addConsoleUser = (who: Who, username: string, role: Role, password?: string) =>
  audited(who.pool, who.audit, 'user.add', { details: { username, role } }, (db) => addUser(db, { username, role, password }))

export const removeConsoleUser = (who: Who, username: string) =>
  audited(who.pool, who.audit, 'user.remove', { details: { username } }, (db) => removeUser(db, username))

export const changeRole = (who: Who, username: string, role: Role) =>
  audited(who.pool, who.audit, 'user.role', { details: { username, role } }, (db) => setRole(db, username, role))

/** An admin resets someone's password (generated, to be changed), or a user sets their own. */
export const changePassword = (who: Who, username: string, password?: string) =>
  audited(who.pool, who.audit, 'user.password', { details: { username, generated: password === undefined } }, (db) => setPassword(db, username, password))

export const addApiToken = (who: Who, name: string, role: Role) =>
  audited(who.pool, who.audit, 'token.create', { details: { name, role } }, (db) => createToken(db, { name, role, createdBy: who.audit.actor!.name }))

export const revokeApiToken = (who: Who, id: number) =>
  audited(who.pool, who.audit, 'token.revoke', { details: { id } }, (db) => revokeToken(db, id))

export const changeSettings = (who: Who, changes: Partial<Settings>) =>
  audited(who.pool, who.audit, 'settings.update', { details: changes }, (db) => updateSettings(db, changes))

/**
 * Deletes old jobs batch by batch (each its own transaction: one over a million jobs would hold
 * the table for minutes), then audits how many, or how far it got before it failed.
 */
export async function pruneOldJobs(who: Who, options: Omit<PruneOptions, 'onBatch'>, onBatch?: (deleted: number) => void): Promise<number> {
  const db = fromPg(who.pool)
  if (options.dryRun) return pruneJobs(db, { ...options, onBatch }) // changes nothing: no audit row
  const details = { olderThan: options.olderThan, statuses: options.statuses ?? null, queue: options.queue ?? null, deleted: 0 }
  return auditedAfter(who.pool, who.audit, 'jobs.prune', details, (record) =>
    pruneJobs(db, {
      ...options,
      onBatch: (total) => {
        record.details.deleted = total // how far it got, should a later batch fail
        onBatch?.(total)
      },
    }),
  )
}
