import type { App } from '../../../lib/queue/app.ts'
import { Worker } from '../../worker.ts'
import { envNumber, integerFrom, list, logFormatOf, logHelp, logOptions, number, optional, portFrom } from '../args.ts'
import { command, UsageError, type Values } from '../command.ts'
import { loadApp, useDatabase } from '../session.ts'

export const workerOptions = {
  app: { type: 'string' },
  queues: { type: 'string' },
  concurrency: { type: 'string' },
  'claim-ahead': { type: 'string' },
  'poll-interval': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  once: { type: 'boolean' },
  name: { type: 'string' },
  'health-port': { type: 'string' },
  'health-host': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  'pool-size': { type: 'string' },
  'direct-url': { type: 'string' },
  ...logOptions,
} as const

export const workerHelp = `  --app MODULE           the module whose export \`app\` (or default export) holds the tasks
                         (.ts, .mts, .js, .mjs or .cjs, relative to the working directory)
  --queues A,B           queues to take jobs from (default: all)
  --concurrency N        jobs run at once (default 10)
  --claim-ahead N        most jobs claimed ahead of free slots, for quick tasks (default 1000; 0: none)
  --poll-interval S      seconds between fetches when nothing is notified (default 5)
  --shutdown-grace S     seconds running jobs get on SIGINT/SIGTERM before they are put back (default 30)
  --once                 exit once nothing is ready and nothing runs
  --name NAME            this worker's name (default host-pid)
  --health-port N        serve GET /live and GET /ready on this port (default: none)
  --health-host ADDRESS  the address it listens on (default 0.0.0.0, every IPv4 address, as a container
                         platform's probes need; 127.0.0.1 keeps it to this machine)
  --metrics-port N       serve GET /metrics (Prometheus) on this port (default: none)
  --metrics-host ADDRESS the address it listens on (default 0.0.0.0, as --health-host)
  --pool-size N          most pooled connections (default: MANANA_POOL_SIZE, else concurrency + 1, at most 10);
                         one more connection listens and holds the worker's liveness lock
  --direct-url URL       a connection to the database itself for that session, when DATABASE_URL goes
                         through a pooler in transaction mode (default: MANANA_DIRECT_URL)`

export default command({
  usage: `manana worker --app MODULE [options]\n${workerHelp}\n${logHelp}\n  --migrate              apply pending migrations first (otherwise a schema behind this version is refused)`,
  summary: 'run the jobs of your app',
  options: { ...workerOptions, migrate: { type: 'boolean' } },
  async run(values) {
    if (!values.app) throw new UsageError('--app is required: the module that exports your app')
    const app = await loadApp(values.app)
    await useDatabase({ migrate: values.migrate ?? false })
    return runWorker(app, values) // which checks the schema
  },
})

/** Runs a worker until SIGINT or SIGTERM (a second one: at once). */
export async function runWorker(app: App, values: Values<typeof workerOptions>): Promise<number> {
  const directUrl = values['direct-url']
  if (directUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(directUrl)) throw new UsageError('--direct-url must be a postgresql:// URL')
    process.env.MANANA_DIRECT_URL = directUrl // the app's sessions read it
  }
  const poolSize = values['pool-size'] ?? (process.env.MANANA_POOL_SIZE || undefined)
  const worker = new Worker(app, {
    queues: optional(values.queues, (text) => list(text).filter(Boolean)),
    concurrency: optional(values.concurrency, (text) => integerFrom(1, text, '--concurrency')),
    claimAhead: optional(values['claim-ahead'], (text) => integerFrom(0, text, '--claim-ahead')),
    pollInterval: optional(values['poll-interval'], (text) => number(text, '--poll-interval')),
    shutdownGrace: optional(values['shutdown-grace'], (text) => number(text, '--shutdown-grace')),
    once: values.once,
    name: values.name,
    heartbeatInterval: envNumber('MANANA_HEARTBEAT_INTERVAL'),
    staleAfter: envNumber('MANANA_STALE_AFTER'),
    healthPort: optional(values['health-port'], (text) => portFrom(text, '--health-port')),
    metricsPort: optional(values['metrics-port'], (text) => portFrom(text, '--metrics-port')),
    healthHost: values['health-host'],
    metricsHost: values['metrics-host'],
    poolSize: optional(poolSize, (text) => integerFrom(1, text, values['pool-size'] === undefined ? 'MANANA_POOL_SIZE' : '--pool-size')),
    logFormat: logFormatOf(values['log-format']),
  })
  let signals = 0
  const onSignal = (signal: string) => {
    if (++signals > 1) process.exit(130) // a second Ctrl-C: stop now
    console.log(`${signal}: finishing running jobs (Ctrl-C again to stop at once)`)
    worker.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  await worker.run()
  return 0
}
