// cancel, abort and delete: one job by id, then what became of it.
import type { App } from '../../../lib/queue/app.ts'
import { integer } from '../args.ts'
import { command, type Command } from '../command.ts'
import { appWithSchema } from '../session.ts'

function jobAction(name: string, summary: string, act: (app: App, id: number) => Promise<void>): Command {
  return command({
    usage: `manana ${name} ID`,
    summary,
    options: {},
    positionals: 1,
    async run(_values, [id]) {
      const jobId = integer(id, 'ID')
      const app = await appWithSchema()
      await act(app, jobId)
      const job = await app.jobs.get(jobId)
      console.log(job ? `job ${jobId} is ${job.status}${job.abortRequested ? ' (abort requested)' : ''}` : `job ${jobId} deleted`)
      return 0
    },
  })
}

export const cancel = jobAction('cancel', 'cancel a todo job (its children then run, and see it cancelled)', (app, id) => app.jobs.cancel(id))
export const abort = jobAction('abort', 'cancel a todo job, or ask the worker running a doing job to stop it', (app, id) => app.jobs.abort(id))
export const remove = jobAction('delete', 'delete a finished or waiting job that no unfinished child needs', (app, id) => app.jobs.delete(id))
