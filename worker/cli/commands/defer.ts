import { deferAsAnnounced } from '../../../lib/queue/announced-tasks.ts'
import { fromPg } from '../../../lib/queue/queryable.ts'
import { idList, integer, number, optional, parseJson } from '../args.ts'
import { command, UsageError } from '../command.ts'
import { appWithSchema } from '../session.ts'

export default command({
  usage: `manana defer TASK ['{"json": "arguments"}'] [options]
  --depends-on ID,ID     parent job ids: the job runs once all of them have finished
  --queue Q              the queue (default: the task's)
  --priority N           higher runs first (default: the task's, or 0)
  --lock L               at most one job of a lock runs at a time
  --queueing-lock L      at most one job of a queueing lock waits at a time
  --at TIME              run at or after this ISO 8601 time
  --in SECONDS           run after this many seconds
  --allow-unknown-task   defer a task no worker announced (a Python worker's)
Queue, priority and locks default to what the task's workers announced.`,
  summary: 'defer a job; prints its id',
  options: {
    'depends-on': { type: 'string' },
    queue: { type: 'string' },
    priority: { type: 'string' },
    lock: { type: 'string' },
    'queueing-lock': { type: 'string' },
    at: { type: 'string' },
    in: { type: 'string' },
    'allow-unknown-task': { type: 'boolean' },
  },
  positionals: 2,
  async run(values, [task, json = '{}']) {
    if (!task) throw new UsageError('which task? manana defer TASK [JSON]')
    const args = parseJson(json, 'the arguments') as Record<string, unknown> // checked as the job is deferred
    if (values.at !== undefined && Number.isNaN(Date.parse(values.at))) {
      throw new UsageError(`--at ${values.at} is not an ISO 8601 time such as 2026-01-31T14:05:00Z`)
    }
    const app = await appWithSchema()
    const job = {
      task,
      args,
      dependsOn: optional(values['depends-on'], (text) => idList(text, '--depends-on')),
      queue: values.queue,
      priority: optional(values.priority, (text) => integer(text, '--priority')),
      lock: values.lock,
      queueingLock: values['queueing-lock'],
      scheduledAt: values.at,
      scheduleIn: optional(values.in, (text) => number(text, '--in')),
    }
    const [id] = await deferAsAnnounced(fromPg(await app.pool()), [job], { allowUnknownTask: values['allow-unknown-task'] })
    console.log(id)
    return 0
  },
})
