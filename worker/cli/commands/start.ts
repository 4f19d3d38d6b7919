import { claimForTheDemo } from '../../../lib/db/demo-database.ts'
import { fromPg } from '../../../lib/queue/queryable.ts'
import { deferDemoWorkflows } from '../../demo/workflow.ts'
import { logHelp } from '../args.ts'
import { command } from '../command.ts'
import { loadApp, useDatabase } from '../session.ts'
import { consoleHelp, consoleOptions, serveConsole } from './console.ts'
import { runWorker, workerHelp, workerOptions } from './worker.ts'

export default command({
  usage: `manana start [worker options] [--port 3000] [--host 127.0.0.1]\n${workerHelp}\n  (--app defaults to the demo)\n${consoleHelp}\n${logHelp}`,
  summary: 'the demo: database, migrations, the console and a worker; defers the demo workflow on a database with no jobs',
  options: { ...workerOptions, ...consoleOptions },
  async run(values) {
    const demo = values.app ? undefined : await import('../../demo/app.ts')
    const app = demo?.app ?? (await loadApp(values.app!))
    const database = await useDatabase({ migrate: true })
    const firstRun = (await app.jobs.list({}, { limit: 1 })).jobs.length === 0
    if (demo) await claimForTheDemo(fromPg(await app.pool()), { embedded: database.embedded, empty: firstRun })
    const { address } = await serveConsole(database.url, values)
    if (demo) {
      if (firstRun) {
        const deferred = await deferDemoWorkflows()
        console.log(`first run: the demo workflow is deferred; watch it at ${address}/jobs/${deferred.pipeline.download}/graph`)
      }
      demo.keepTheDemoMoving(demo.app)
      console.log(`the demo defers a new workflow every 30 s: ${address}/workflows`)
    }
    return runWorker(app, values)
  },
})
