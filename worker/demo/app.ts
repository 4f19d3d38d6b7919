// The demo's tasks: a small data pipeline, plus shapes that show how a DAG moves (a diamond,
// a fan-out into a fan-in, a branch whose parent fails on purpose). Each takes 0.1 to 2 s so
// that a person watching sees the graph change.
import { z } from 'zod'
import { createApp } from '../../lib/queue/index.ts'

export const app = createApp()

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })
const between = (min: number, max: number) => Math.round(min + Math.random() * (max - min))

export const downloadData = app.task<{ url: string }, { url: string; rows: number }>(
  'download_data',
  {
    queue: 'io',
    retry: { maxAttempts: 2, wait: 1 },
    timeout: 30,
    argsSchema: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] },
  },
  async ({ url }, { signal, log }) => {
    log('downloading %s', url)
    await pause(between(300, 1500), signal)
    const rows = between(100, 1000)
    log('got %d rows', rows)
    return { url, rows }
  },
)

/** Reads its parents' statuses: a failed download is reported, not crashed on. */
export const processData = app.task('process_data', {}, async (_args, { getParentStatuses, getParentResults, signal, log }) => {
  const statuses = await getParentStatuses()
  const failed = Object.entries(statuses).filter(([, status]) => status !== 'succeeded')
  if (failed.length) {
    log(`parents ${failed.map(([id, status]) => `${id} (${status})`).join(', ')} did not succeed: processing what is there`)
  }
  await pause(between(200, 1200), signal)
  const results = Object.values(await getParentResults()) as Array<{ rows?: number } | null>
  return { rows: results.reduce((sum, result) => sum + (result?.rows ?? 0), 0), missingParents: failed.length }
})

export const generateReport = app.task('generate_report', { queue: 'reports' }, async (_args, { getParentResults, signal }) => {
  await pause(between(200, 800), signal)
  return { report: 'ready', inputs: await getParentResults() }
})

/** A step of the diamond and of the fan-out: waits (`ms`, or 0.1 to 2 s), returns its label. */
export const step = app.task<{ label: string; ms?: number }>('step', {}, async ({ label, ms }, { signal, log }) => {
  const duration = ms ?? between(100, 2000)
  log('%s: working for %d ms', label, duration)
  await pause(duration, signal)
  return { label }
})

export const callFlakyApi = app.task('call_flaky_api', {}, async (_args, { signal, logger }) => {
  logger.info('calling the partner API')
  await pause(between(200, 600), signal)
  logger.error('the partner API answered 503')
  throw new Error('the upstream API answered 503 (this demo task fails on purpose)')
})

/** A call whose first attempt always fails and whose retry succeeds: retries by design, not failures. */
export const settlePayment = app.task('settle_payment', { retry: { maxAttempts: 1, wait: 0 } }, async (_args, { attempt, log }) => {
  if (attempt === 1) throw new Error('the payment provider asks to try again (the first attempt fails on purpose)')
  log('settled on attempt %d', attempt)
  return { settled: true }
})

/** The child of a failed parent: it still runs, sees the failure, and says so. */
export const notifyOnFailure = app.task('notify_on_failure', {}, async (_args, { getParentStatuses, log }) => {
  const statuses = await getParentStatuses()
  const failed = Object.keys(statuses).filter((id) => statuses[Number(id)] === 'failed')
  log(`parent(s) ${failed.join(', ') || 'none'} failed: an operator is told`)
  return { parentFailed: failed.length > 0, statuses }
})

// The demo's workflows, as definitions: `npx manana run etl` defers one; each
// input has defaults, so an empty one runs it.

/** download → process → report: Procrastinate's demo_workflow, as a definition. */
export const etl = app.workflow('etl', { input: z.object({ url: z.url().default('https://example.com/sales.csv') }) }, (w, { url }) => {
  const download = w.step('download_data', downloadData, { url })
  const process = w.step('process_data', processData, {}, { after: [download] })
  const report = w.step('generate_report', generateReport, {}, { after: [process] })
  return { download, process, report }
})

/** top → left and right → bottom. */
export const diamond = app.workflow('diamond', {}, (w) => {
  const top = w.step('top', step, { label: 'top' })
  const left = w.step('left', step, { label: 'left' }, { after: [top] })
  const right = w.step('right', step, { label: 'right' }, { after: [top] })
  const bottom = w.step('bottom', step, { label: 'bottom' }, { after: [left, right] })
  return { top, bottom }
})

/** One step fans out into `shards` (default 50), joined by one. */
export const fanOut = app.workflow('fan_out', { input: z.object({ shards: z.number().int().min(1).max(1000).default(50) }) }, (w, { shards }) => {
  const split = w.step('split', step, { label: 'split' })
  const parts = Array.from({ length: shards }, (_, i) => w.step(`shard_${i}`, step, { label: `shard ${i}` }, { after: [split] }))
  const merge = w.step('merge', processData, {}, { after: parts })
  return { split, merge }
})

/**
 * A parent that fails; its child that runs anyway and says so (the default rule), a step that
 * only runs after a failure (any_failed), and one that only runs if it succeeded (all_succeeded:
 * cancelled, with the reason on its page).
 */
export const failingBranch = app.workflow('failing_branch', {}, (w) => {
  const call = w.step('call_flaky_api', callFlakyApi, {})
  const notify = w.step('notify_on_failure', notifyOnFailure, {}, { after: [call] })
  const page = w.step('page_on_call', step, { label: 'page the on-call', ms: 100 }, { after: [call], runWhen: 'any_failed' })
  const publish = w.step('publish', step, { label: 'publish', ms: 100 }, { after: [call], runWhen: 'all_succeeded' })
  return { call, notify, page, publish }
})

/** Lists a bucket's files: as many as the run asked for. */
export const listFiles = app.task('list_files', {}, async ({ count }: { count: number }, { signal, log }) => {
  await pause(between(300, 800), signal)
  log('found %d files', count)
  return { files: Array.from({ length: count }, (_, i) => `part-${String(i).padStart(3, '0')}.csv`) }
})

export const processFile = app.task('process_file', {}, async ({ file }: { file: string }, { signal }) => {
  await pause(between(300, 2500), signal)
  return { file, rows: between(10, 500) }
})

/** Joins the map step's items: their results, in item order. */
export const summarizeFiles = app.task('summarize_files', { parents: { processed: [processFile] } }, async (_args, ctx) => {
  const { processed } = await ctx.parents()
  const rows = processed.reduce((sum, each) => sum + (each.status === 'succeeded' ? each.result.rows : 0), 0)
  return { files: processed.length, failed: processed.filter((each) => each.status !== 'succeeded').length, rows }
})

/** list → one process_file per file it finds (a map step: its width is known at run time) → summarize. */
export const files = app.workflow('files', { input: z.object({ count: z.number().int().min(0).max(1000).default(37) }) }, (w, { count }) => {
  const listed = w.step('list', listFiles, { count })
  const processed = w.map('process', processFile, { over: listed, items: (result) => result.files.map((file) => ({ file })) })
  const summary = w.step('summarize', summarizeFiles, {}, { after: { processed } })
  return { listed, processed, summary }
})

/**
 * What keeps `npm start`'s demo moving: every 30 s a new workflow whose steps take seconds (two
 * downloads, a join, a report), with a branch that fails one time in three, so that a newcomer
 * sees graphs and timelines change. Only `manana start` schedules it (keepTheDemoMoving).
 */
export const demoRhythm = app.task('demo_rhythm', {}, async () => {
  const seconds = () => ({ ms: between(2000, 6000) })
  const ids = await app.deferWorkflow({
    fetch_orders: { task: 'step', args: { label: 'fetch orders', ...seconds() } },
    fetch_customers: { task: 'step', args: { label: 'fetch customers', ...seconds() } },
    join: { task: 'process_data', dependsOn: ['fetch_orders', 'fetch_customers'] },
    report: { task: 'generate_report', dependsOn: ['join'] },
    ...(Math.random() < 1 / 3 && {
      call_partner_api: { task: 'call_flaky_api', dependsOn: ['fetch_orders'] },
      alert: { task: 'notify_on_failure', dependsOn: ['call_partner_api'] },
    }),
  }, { name: 'orders and customers' })
  return { workflowOf: ids.fetch_orders }
})

export function keepTheDemoMoving(demo: typeof app): void {
  demo.periodic('* * * * * 0,30', demoRhythm) // six fields: seconds last
}
