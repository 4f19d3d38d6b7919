// pg-boss's side of `npm run bench`, run by Node 22 (type stripping, no compiler). Queues use
// NOTIFY; workers fetch up to 10 jobs at once (10 at once, as the others) and fetch again at once
// while batches come back full (burstWhenBatchFull): its fastest documented settings.
// Usage: node pgboss.ts SCENARIO DATABASE_URL
import { PgBoss } from 'pg-boss'
import { HopMeter, now, report, sizes, ThroughputMeter } from '../meter.ts'
import { enqueueFigures, walPerJob } from '../wal.ts'

const [scenario, connectionString] = process.argv.slice(2)
// flowIntervalSeconds 1: the least pg-boss allows between its checks for flow children now ready (5 by default).
const boss = new PgBoss({ connectionString, max: sizes.poolSize, flowIntervalSeconds: 1 })
boss.on('error', (error: Error) => console.error(error))
await boss.start()
await boss.createQueue('noop', { notify: true })
const work = { batchSize: sizes.concurrency, pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, burstWhenBatchFull: true, ...JSON.parse(process.env.PGBOSS_WORK ?? '{}') }

async function enqueue(count: number) {
  for (let i = 0; i < count; i += sizes.enqueueBatch) {
    await boss.insert('noop', Array.from({ length: Math.min(sizes.enqueueBatch, count - i) }, () => ({ data: {} })))
  }
}

type Flow = Array<{ ref: string; name: string; data?: object; dependsOn?: string[] }>
const chain = (prefix: string, length: number): Flow =>
  Array.from({ length }, (_, i) => ({ ref: `${prefix}${i}`, name: 'noop', data: { index: i }, dependsOn: i ? [`${prefix}${i - 1}`] : undefined }))

/** Jobs deferred by `defer`, then run: jobs per second, and the log's bytes per job each way. */
async function throughput(total: number, warmUp: number, defer: () => Promise<unknown>) {
  const meter = new ThroughputMeter(total, warmUp)
  const [walDeferPerJob, walRunPerJob] = await walPerJob(connectionString!, total, [
    defer,
    async () => {
      await boss.work('noop', work, async (jobs: unknown[]) => meter.ran(jobs.length))
      await meter.done
    },
  ])
  return { jobsPerSecond: meter.rate(), walDeferPerJob: walDeferPerJob!, walRunPerJob: walRunPerJob! }
}

const deferFlows = (flows: Flow[]) => async () => {
  for (const flow of flows) await boss.flow(flow)
}

if (scenario === 'throughput') {
  report(await throughput(sizes.throughputJobs, sizes.warmUp, () => enqueue(sizes.throughputJobs)))
} else if (scenario === 'chains') {
  const flows = Array.from({ length: sizes.chains }, (_, c) => chain(`c${c}.`, sizes.chainLength))
  report(await throughput(sizes.chains * sizes.chainLength, 1, deferFlows(flows)))
} else if (scenario === 'fan') {
  const middle = Array.from({ length: sizes.fanWidth }, (_, i) => ({ ref: `m${i}`, name: 'noop', dependsOn: ['root'] }))
  const flow: Flow = [{ ref: 'root', name: 'noop' }, ...middle, { ref: 'sink', name: 'noop', dependsOn: middle.map((job) => job.ref) }]
  report(await throughput(sizes.fanWidth + 2, 1, deferFlows([flow])))
} else if (scenario === 'hops') {
  // A shorter chain: each of its hops takes most of a second here, and 200 would take minutes.
  const length = 30
  const meter = new HopMeter(length)
  await boss.flow(chain('n', length))
  await boss.work('noop', work, async (jobs: Array<{ data: { index: number } }>) => {
    for (const job of jobs) meter.start(job.data.index)()
  })
  await meter.done
  report({ ...meter.percentiles(), chain: length })
} else if (scenario === 'enqueue') {
  report(await enqueueFigures(connectionString!, sizes.enqueueJobs, enqueue))
} else if (scenario === 'dag') {
  const flow: Flow = Array.from({ length: sizes.dagNodes }, (_, i) => ({
    ref: `n${i}`,
    name: 'noop',
    dependsOn: i === 0 ? undefined : [...new Set([`n${Math.floor(i / 2)}`, `n${Math.floor(i / 3)}`])].filter((ref) => ref !== `n${i}`),
  }))
  const started = now()
  await boss.flow(flow)
  report({ milliseconds: now() - started })
} else {
  throw new Error(`pg-boss has no scenario ${scenario}`)
}
await boss.stop({ graceful: false, wait: true })
