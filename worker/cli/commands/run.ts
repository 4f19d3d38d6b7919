import { runWorkflowDefinition } from '../../../lib/console/actions.ts'
import { checkSchema } from '../../../lib/db/schema-check.ts'
import { fromPg } from '../../../lib/queue/queryable.ts'
import { parseJsonObject } from '../args.ts'
import { command, UsageError } from '../command.ts'
import { appWithSchema, cliActor, loadApp, useDatabase } from '../session.ts'

export default command({
  usage: `manana run WORKFLOW ['{"json": "input"}'] [--app MODULE]
  --app MODULE           defer it here, from the module whose app defines it (app.workflow(WORKFLOW, …));
                         without it, a running worker that defines it defers it (audited as cli:$USER),
                         if one answers within 10 s; Ctrl-C withdraws the request
Checks the input with the definition's schema, defers every step atomically in a new workflow
that records the input, and prints the ids of its steps' jobs (with --app: of the steps the
definition returns), as JSON.`,
  summary: 'run a workflow your app defines, with its input',
  options: { app: { type: 'string' } },
  positionals: 2,
  async run(values, [name, json = '{}']) {
    if (!name) throw new UsageError('which workflow? manana run WORKFLOW [JSON] [--app MODULE]')
    const input = parseJsonObject(json, 'the input', '')
    if (!values.app) {
      const app = await appWithSchema()
      // Ctrl-C withdraws the request: no worker defers it later.
      const interrupted = new AbortController()
      process.once('SIGINT', () => interrupted.abort())
      console.log(JSON.stringify(await runWorkflowDefinition(cliActor(await app.pool()), name, input, { signal: interrupted.signal })))
      return 0
    }
    const app = await loadApp(values.app)
    const definition = app.workflows.get(name)
    if (!definition) {
      throw new UsageError(`${values.app} defines no workflow ${name}; it defines: ${[...app.workflows.keys()].join(', ') || 'none'}`)
    }
    await useDatabase({ migrate: false })
    await checkSchema(fromPg(await app.pool()))
    console.log(JSON.stringify(await definition.defer(input)))
    return 0
  },
})
