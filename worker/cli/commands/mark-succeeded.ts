import { markJobSucceeded } from '../../../lib/console/actions.ts'
import { integer, parseJson } from '../args.ts'
import { command } from '../command.ts'
import { appWithSchema, cliActor } from '../session.ts'

export default command({
  usage: `manana mark-succeeded ID [--result JSON]
  --result JSON          the result its children read (default null)`,
  summary: 'mark a job that failed, was aborted or cancelled as succeeded: what its failure cancelled runs again (audited)',
  options: { result: { type: 'string' } },
  positionals: 1,
  async run(values, [id]) {
    const jobId = integer(id, 'ID')
    const result = values.result === undefined ? null : parseJson(values.result, '--result')
    const app = await appWithSchema()
    const reopened = await markJobSucceeded(cliActor(await app.pool()), jobId, result)
    console.log(`job ${jobId} is succeeded${reopened.length ? `; running again for it: ${reopened.join(', ')}` : ''}`)
    return 0
  },
})
