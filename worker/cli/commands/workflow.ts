import fs from 'node:fs'
import { deferWorkflowAsAnnounced } from '../../../lib/queue/announced-tasks.ts'
import type { Workflow } from '../../../lib/queue/defer.ts'
import { fromPg } from '../../../lib/queue/queryable.ts'
import { parseJsonObject } from '../args.ts'
import { command, UsageError } from '../command.ts'
import { appWithSchema } from '../session.ts'

export default command({
  usage: `manana workflow '{"KEY": {"task": "T", "args": {…}, "dependsOn": ["OTHER_KEY", 123]}, …}' [options]
  (or - to read the JSON from standard input)
  --name NAME            the workflow's name in the console (default: its first key)
  --allow-unknown-task   defer tasks no worker announced (a Python worker's)
Each job takes the options \`defer\` takes (queue, priority, lock, queueingLock, scheduledAt,
scheduleIn); dependsOn names keys of this workflow or ids of existing jobs. All or nothing.`,
  summary: 'defer a workflow of jobs that depend on each other, atomically; prints their ids as JSON',
  options: { name: { type: 'string' }, 'allow-unknown-task': { type: 'boolean' } },
  positionals: 1,
  async run(values, [json]) {
    if (json === undefined) throw new UsageError(`which jobs? manana workflow '{"KEY": {"task": "T"}}' (or - for standard input)`)
    const workflow = parseJsonObject(json === '-' ? fs.readFileSync(0, 'utf8') : json, 'the workflow', ' of jobs by key: {"KEY": {"task": "T"}}')
    const app = await appWithSchema()
    const ids = await deferWorkflowAsAnnounced(fromPg(await app.pool()), workflow as Workflow, { name: values.name, allowUnknownTask: values['allow-unknown-task'] })
    console.log(JSON.stringify(ids))
    return 0
  },
})
