import { pruneOldJobs } from '../../../lib/console/actions.ts'
import type { FinishedStatus } from '../../../lib/queue/prune.ts'
import { integerFrom, list, optional } from '../args.ts'
import { command, UsageError } from '../command.ts'
import { appWithSchema, cliActor } from '../session.ts'

export default command({
  usage: `manana prune --older-than AGE [options]
  --older-than AGE       jobs that ended longer ago than this: 7d, 12h, 30m, 45s, 2w (required)
  --status S,S           which finished jobs: succeeded, failed, cancelled, aborted (default: all four)
  --queue Q              only this queue's
  --batch N              jobs looked at per transaction (default 10000)
  --dry-run              count them; delete nothing
Deletes in batches, each its own transaction, with their dependencies, events, errors and logs;
never a job an unfinished child still needs. Audited as cli:$USER.`,
  summary: 'delete old finished jobs, batch by batch',
  options: { 'older-than': { type: 'string' }, status: { type: 'string' }, queue: { type: 'string' }, batch: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(values) {
    const olderThan = values['older-than']
    if (olderThan === undefined) throw new UsageError('--older-than is required: manana prune --older-than 7d')
    const app = await appWithSchema()
    const dryRun = values['dry-run'] ?? false
    const deleted = await pruneOldJobs(cliActor(await app.pool()), {
      olderThan,
      statuses: optional(values.status, list) as FinishedStatus[] | undefined, // checked with the rule (invalid_retention)
      queue: values.queue,
      batch: optional(values.batch, (text) => integerFrom(1, text, '--batch')),
      dryRun,
    })
    console.log(dryRun ? `${deleted} job(s) would be deleted` : `deleted ${deleted} job(s)`)
    return 0
  },
})
