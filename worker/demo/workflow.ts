import type { App } from '../../lib/queue/app.ts'

/** Defers the demo's workflows; returns their job ids by key. */
export async function deferDemoWorkflows(app: App) {
  const pipeline = await app.deferWorkflow({
    download_data: { task: 'download_data', args: { url: 'https://example.com/sales.csv' } },
    process_data: { task: 'process_data', dependsOn: ['download_data'] },
    generate_report: { task: 'generate_report', dependsOn: ['process_data'] },
  }, { name: 'sales report' })
  const diamond = await app.deferWorkflow({
    top: { task: 'step', args: { label: 'top' } },
    left: { task: 'step', args: { label: 'left' }, dependsOn: ['top'] },
    right: { task: 'step', args: { label: 'right' }, dependsOn: ['top'] },
    bottom: { task: 'step', args: { label: 'bottom' }, dependsOn: ['left', 'right'] },
  }, { name: 'diamond' })
  const shards = Object.fromEntries(
    Array.from({ length: 50 }, (_, i) => [`shard_${i}`, { task: 'step', args: { label: `shard ${i}` }, dependsOn: ['split'] }]),
  )
  const fanOut = await app.deferWorkflow({
    split: { task: 'step', args: { label: 'split' } },
    ...shards,
    merge: { task: 'process_data', dependsOn: Object.keys(shards) },
  }, { name: 'fan-out of 50' })
  const failingBranch = await app.deferWorkflow({
    call_flaky_api: { task: 'call_flaky_api' },
    notify_on_failure: { task: 'notify_on_failure', dependsOn: ['call_flaky_api'] },
  }, { name: 'failing branch' })
  return { pipeline, diamond, fanOut: { split: fanOut.split, merge: fanOut.merge }, failingBranch }
}
