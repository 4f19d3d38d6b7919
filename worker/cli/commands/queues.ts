// pause and resume a queue, in the audit log by cli:$USER.
import { pauseQueue, resumeQueue } from '../../../lib/console/actions.ts'
import { command, UsageError } from '../command.ts'
import { appWithSchema, cliActor } from '../session.ts'

export const pause = command({
  usage: `manana pause QUEUE [--reason TEXT] [--force]
  --reason TEXT          why, shown on the Queues page and on its jobs' pages (at most 500 characters)
  --force                pause a queue that no job, task or worker knows yet (otherwise refused: a typo?)`,
  summary: 'pause a queue: no worker (Python workers included) starts its jobs until it is resumed',
  options: { force: { type: 'boolean' }, reason: { type: 'string' } },
  positionals: 1,
  run: (values, [queue]) => queueAction('pause', queue, (who, name) => pauseQueue(who, name, { force: values.force, reason: values.reason })),
})

export const resume = command({
  usage: 'manana resume QUEUE',
  summary: 'resume a paused queue and wake its workers',
  options: {},
  positionals: 1,
  run: (_values, [queue]) => queueAction('resume', queue, resumeQueue),
})

async function queueAction(name: 'pause' | 'resume', queue: string | undefined, act: typeof resumeQueue): Promise<number> {
  if (!queue) throw new UsageError(`which queue? manana ${name} QUEUE`)
  const app = await appWithSchema()
  const changed = await act(cliActor(await app.pool()), queue)
  const [done, unchanged] = name === 'pause' ? ['is paused', 'was paused already'] : ['is resumed', 'was not paused']
  console.log(`queue ${queue} ${changed ? done : unchanged}`)
  return 0
}
