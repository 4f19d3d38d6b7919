// graphile-worker's side of `npm run bench`, run by Node 22 (type stripping, no compiler).
// Usage: node graphile.ts SCENARIO DATABASE_URL [defaults|batched]
import { Logger, makeWorkerUtils, run } from 'graphile-worker'
import { now, report, sizes, ThroughputMeter } from '../meter.ts'
import { walMarks } from '../wal.ts'

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
  const wal = await walMarks(connectionString!)
  await enqueue(sizes.throughputJobs)
  await wal.mark()
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
  await wal.mark()
  const [deferred, ran] = await wal.bytes()
  report({ jobsPerSecond: meter.rate(), walDeferPerJob: deferred! / sizes.throughputJobs, walRunPerJob: ran! / sizes.throughputJobs })
} else if (scenario === 'enqueue') {
  const wal = await walMarks(connectionString!)
  const started = now()
  await enqueue(sizes.enqueueJobs)
  const jobsPerSecond = (sizes.enqueueJobs / (now() - started)) * 1000
  await wal.mark()
  report({ jobsPerSecond, walPerJob: (await wal.bytes())[0]! / sizes.enqueueJobs })
} else {
  throw new Error(`graphile-worker has no scenario ${scenario}`)
}
await utils.release()
