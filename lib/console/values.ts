// Arguments and results can be hidden from viewers (an admin's setting), and with them whatever
// tends to carry the same values: lock names, the error messages and stacks of failed attempts
// (a task's error often quotes its arguments), and the lock named in "why is this job not
// running?". Jobs then reach a viewer with `valuesHidden: true`, and filtering by argument
// value or lock, which would reveal them one guess at a time, is refused.
import { HttpError } from '../api/http-error.ts'
import type { Actor } from '../auth/roles.ts'
import { getSettings } from '../auth/settings.ts'
import type { Job } from '../queue/job.ts'
import type { Queryable } from '../queue/queryable.ts'
import { sentenceOf } from './explain.ts'
import type { JobDetail } from './job-detail.ts'
import type { JobLogs } from './job-logs.ts'
import type { Overview } from './overview.ts'
import type { TaskActivity } from './task-activity.ts'

export type VisibleJob = Job & { valuesHidden?: true }

export async function valuesHiddenFrom(db: Queryable, actor: Actor | undefined): Promise<boolean> {
  return actor?.role === 'viewer' && (await getSettings(db)).hideValuesFromViewers
}

export const hideValues = (job: Job): VisibleJob => ({ ...job, args: {}, result: null, lock: null, queueingLock: null, valuesHidden: true })

/** A job's page for a viewer from whom values are hidden. */
export function hideDetailValues(detail: JobDetail): JobDetail {
  const reasons = detail.explanation.reasons.map((reason) => (reason.kind === 'lock_taken' ? { ...reason, lock: 'hidden' } : reason))
  return {
    ...detail,
    job: hideValues(detail.job),
    attempts: detail.attempts.map((attempt) => ({ ...attempt, message: 'hidden from viewers', stack: null })),
    explanation: { ...detail.explanation, reasons, sentences: reasons.map((reason) => sentenceOf(detail.explanation.status, reason)) },
  }
}

/** The overview for a viewer from whom values are hidden: failures without their messages. */
export const hideOverviewValues = <O extends Overview>(overview: O): O => ({
  ...overview,
  recentFailures: overview.recentFailures.map((failure) => ({ ...failure, message: null })),
})

/** The Tasks page for a viewer from whom values are hidden: failures without their messages. */
export const hideTaskActivityValues = (tasks: TaskActivity[]): TaskActivity[] =>
  tasks.map((task) => ({ ...task, latestFailures: task.latestFailures.map((failure) => ({ ...failure, message: null })) }))

/** Workflows for a viewer from whom values are hidden: their runs' inputs too. */
export const hideRunInputs = <W extends { input: Record<string, unknown> | null }>(workflows: W[]): W[] => workflows.map((workflow) => ({ ...workflow, input: null }))

/** A job's log for a viewer from whom values are hidden: how many lines, none of them. */
export const hideLogValues = (logs: JobLogs): JobLogs => ({ ...logs, lines: [], valuesHidden: true })

export function refuseValueFilter(): never {
  throw new HttpError(403, 'values_hidden', 'argument values and lock names are hidden from viewers, so jobs cannot be filtered by them')
}
