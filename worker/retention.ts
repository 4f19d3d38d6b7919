// The app's retention rules (app.retention()), applied by whichever worker claims the period.
import type { App } from '../lib/queue/app.ts'
import { pruneJobs } from '../lib/queue/prune.ts'
import type { Queryable } from '../lib/queue/queryable.ts'
import { errorRecord, message, type LogRecord } from '../lib/observe/log.ts'
import { claimRetentionRun } from './queries.ts'

type Say = (level: LogRecord['level'], event: string, message: string, facts?: Partial<LogRecord>) => void

/** The shortest rule's period, in seconds: how often a worker asks whether it is its turn. */
export const retentionPeriod = (app: App) => Math.min(...app.retentionRules.map((rule) => rule.everySeconds))

/** Applies the rules when this worker is the first to ask since the shortest rule's period passed (never throws: said). */
export async function applyRetention(app: App, db: Queryable, say: Say): Promise<void> {
  try {
    if (!(await claimRetentionRun(db, retentionPeriod(app)))) return
    for (const rule of app.retentionRules) {
      const deleted = await pruneJobs(db, rule)
      const which = `${rule.statuses?.join(', ') ?? 'finished'} jobs${rule.queue ? ` of queue ${rule.queue}` : ''} older than ${rule.olderThan}`
      say('info', 'retention.pruned', `retention: deleted ${deleted} ${which}`)
    }
  } catch (error) {
    say('error', 'retention.failed', `retention: could not delete old jobs: ${message(error)}`, { error: errorRecord(error) })
  }
}
