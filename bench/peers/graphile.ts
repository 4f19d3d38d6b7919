// graphile-worker's side of `npm run bench`, run by Node 22 (type stripping, no compiler).
// Usage: node graphile.ts SCENARIO DATABASE_URL [defaults|batched]
import { Logger, makeWorkerUtils, run } from 'graphile-worker'
import { report, sizes, ThroughputMeter } from '../meter.ts'
import { enqueueFigures, walPerJob } from '../wal.ts'

const [scenario, connectionString, settings = 'defaults'] = process.argv.slice(2)

// Its documented batching options: a local queue of locked jobs, completions batched.
const batched = { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 }

const utils = await makeWorkerUtils({ connectionString })
await utils.migrate()

async function enqueue(count: number) {
  for (let i = 0; i < count; i += sizes.enqueueBatch) {
    await utils.addJobs(Array.from({ length: Math.min(sizes.enqueueBatch, count - i) }, () => ({ identifier: 'noop', payload: {} })))
  }
}

if (scenario === 'throughput') {
  const meter = new ThroughputMeter(sizes.throughputJobs, sizes.warmUp)
  const runAll = async () => {
    const runner = await run({
      connectionString,
      concurrency: sizes.concurrency,
      maxPoolSize: sizes.poolSize,
      noHandleSignals: true,
      pollInterval: 1000,
      taskList: { noop: async () => meter.ran() },
      preset: settings === 'batched' ? { worker: batched } : undefined,
      logger: new Logger(() => () => {}), // quiet: a line per job would be measured too
    })
    await meter.done
    await runner.stop()
  }
  const [walDeferPerJob, walRunPerJob] = await walPerJob(connectionString!, sizes.throughputJobs, [() => enqueue(sizes.throughputJobs), runAll])
  report({ jobsPerSecond: meter.rate(), walDeferPerJob: walDeferPerJob!, walRunPerJob: walRunPerJob! })
} else if (scenario === 'enqueue') {
  report(await enqueueFigures(connectionString!, sizes.enqueueJobs, enqueue))
} else {
  throw new Error(`graphile-worker has no scenario ${scenario}`)
}
await utils.release()
