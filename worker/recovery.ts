// Recovery of the jobs gone workers left: each attempt ends failed and is retried as its task's
// strategy says (it may have run to its end, unrecorded), with an error saying what is known.
import type pg from 'pg'
import { withTransaction } from '../lib/db/transaction.ts'
import type { App } from '../lib/queue/app.ts'
import { jobFromRow } from '../lib/queue/job.ts'
import { fromPg } from '../lib/queue/queryable.ts'
import { errorRecord } from '../lib/observe/log.ts'
import type { SayOfJob } from './attempt.ts'
import { claimStalledJobs, failRecoveredAttempt, type StalledJob } from './queries.ts'
import { retryDelay } from './retry.ts'

/**
 * Ends the attempts that gone workers left, in one transaction. A job claimed ahead whose start
 * was not recorded counts an attempt too: its worker may have begun it in the moment before it
 * died, and a job must never run twice while its attempts say 1.
 */
export async function recoverStalledJobs(pool: pg.Pool, app: App, staleAfter: number, sayOfJob: SayOfJob): Promise<void> {
  await withTransaction(pool, async (client) => {
    const db = fromPg(client)
    for (const stalled of await claimStalledJobs(db, staleAfter)) {
      const job = jobFromRow(stalled.job)
      const lost = lostWorker(stalled, staleAfter)
      const error = new Error(
        stalled.started
          ? `${lost} while this attempt ran; whether the task finished is not known`
          : `${lost} after claiming this job ahead of a free slot; whether its task started is not known`,
      )
      const task = app.tasks.get(job.task)
      const retryIn = task ? retryDelay(task.options.retry, error, job.attempts) : null
      await failRecoveredAttempt(db, job.id, errorRecord(error), retryIn)
      sayOfJob('warn', 'worker.recovered_jobs', job, `job ${job.id} ${job.task} recovered: ${error.message}; ${retryIn === null ? 'failed' : `retry in ${retryIn} s`}`, { attempt: job.attempts + 1, error: errorRecord(error) })
    }
  })
}

/** How a stalled job's worker was lost, as far as is known: a sentence's subject and verb. */
function lostWorker({ known_by, worker }: StalledJob, staleAfter: number): string {
  const who = worker
    ? `worker ${worker.id}${worker.name ? ` "${worker.name}"` : ''}${worker.pid ? ` (pid ${worker.pid}${worker.host ? ` on ${worker.host}` : ''})` : ''}`
    : 'its worker'
  switch (known_by) {
    case 'connection':
      return `${who} was lost: its database connection closed (the process exited or was killed)`
    case 'heartbeat':
      return `${who} stopped sending heartbeats (none for ${staleAfter} s)`
    case 'pruned':
      return `its worker was removed as stalled (no heartbeat for ${staleAfter} s)`
  }
}
