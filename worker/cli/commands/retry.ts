import { integer } from '../args.ts'
import { command } from '../command.ts'
import { appWithSchema } from '../session.ts'

export default command({
  usage: `manana retry ID [--downstream] [--dry-run]
  --downstream           also re-run every finished job that depends on it, directly or not
  --dry-run              only list the jobs that would run again`,
  summary: 'run a finished job again',
  options: { downstream: { type: 'boolean' }, 'dry-run': { type: 'boolean' } },
  positionals: 1,
  async run(values, [id]) {
    const jobId = integer(id, 'ID')
    const app = await appWithSchema()
    const options = { downstream: values.downstream ?? false }
    const targets = await app.jobs.retryPreview(jobId, options)
    for (const target of targets) console.log(`${'  '.repeat(target.depth)}${target.id} ${target.task} (${target.status})`)
    if (values['dry-run']) {
      console.log(`would run ${targets.length} job(s) again`)
      return 0
    }
    const retried = await app.jobs.retry(jobId, options)
    console.log(`${retried.length} job(s) will run again`)
    return 0
  },
})
