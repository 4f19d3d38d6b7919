// Many people watching one big workflow: VIEWERS clients each asking for the timeline of a
// 10,000-job workflow again as soon as they have it, while a probe times an unrelated request (a
// job's page) every 100 ms. Prints the probe's latencies alone and under the viewers, how many
// timelines were served, and the console's memory. Runs the built console on a fresh database of
// DATABASE_URL's server (or embedded PostgreSQL).
// Usage: npm run bench:viewers [-- --viewers 20 --seconds 20 --view timeline|graph]
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { createToken } from '../lib/auth/api-tokens.ts'
import { createApp } from '../lib/queue/app.ts'
import type { Workflow } from '../lib/queue/defer.ts'
import { fromPg } from '../lib/queue/queryable.ts'
import { startConsole } from '../worker/console-server.ts'
import { Worker } from '../worker/worker.ts'
import { describeMachine, withFreshDatabase } from './fresh-database.ts'

const { values } = parseArgs({
  options: { viewers: { type: 'string', default: '20' }, seconds: { type: 'string', default: '20' }, view: { type: 'string', default: 'timeline' }, port: { type: 'string', default: '3190' } },
})
const viewers = Number(values.viewers)
const seconds = Number(values.seconds)
const port = Number(values.port)

await withFreshDatabase(async (url) => {
  console.log(await describeMachine(url))
  const app = createApp({ databaseUrl: url })
  app.task('step', {}, async () => {})
  // 100 layers of 100 steps, each layer after the one before: 10,000 jobs, run to their end.
  const workflow: Workflow = {}
  for (let layer = 0; layer < 100; layer++) {
    for (let i = 0; i < 100; i++) workflow[`s${layer}_${i}`] = { task: 'step', dependsOn: layer ? [`s${layer - 1}_${i}`] : [] }
  }
  const ids = await app.deferWorkflow(workflow)
  const last = ids['s99_99']!
  const worker = new Worker(app, { concurrency: 10, once: true, log: () => {} })
  await worker.run()
  const { token } = await createToken(fromPg(await app.pool()), { name: 'bench', role: 'viewer', createdBy: 'bench' })
  const [other] = await app.defer([{ task: 'step', scheduleIn: 3600 }])
  const server = await startConsole({ databaseUrl: url, port, host: '127.0.0.1', log: () => {} })
  const base = `http://127.0.0.1:${port}`
  const get = async (path: string) => {
    const response = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })
    await response.arrayBuffer()
    return response.status
  }
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024
  try {
    await get(`/api/jobs/${last}/${values.view}`) // warm: the route compiled and its first answer
    const alone = await probe(get, `/api/jobs/${other}`, seconds / 2)
    report('unrelated request, alone', alone)
    let stop = false
    let served = 0
    let refused = 0
    const watching = Array.from({ length: viewers }, async () => {
      while (!stop) {
        const status = await get(`/api/jobs/${last}/${values.view}`)
        if (status === 200) served++
        else if (status === 429) (refused++, await new Promise((resolve) => setTimeout(resolve, 1000)))
        else throw new Error(`${values.view} answered ${status}`)
      }
    })
    let peak = rss()
    const sampling = setInterval(() => (peak = Math.max(peak, rss())), 500)
    const under = await probe(get, `/api/jobs/${other}`, seconds)
    stop = true
    await Promise.all(watching)
    clearInterval(sampling)
    report(`unrelated request, ${viewers} viewers polling a 10,000-job ${values.view}`, under)
    console.log(`${values.view}s served: ${served} (${(served / seconds).toFixed(1)}/s), refused 429: ${refused}; console memory peak ${peak.toFixed(0)} MB`)
  } finally {
    server.kill('SIGTERM')
    await app.close()
  }
})

async function probe(get: (path: string) => Promise<number>, path: string, forSeconds: number): Promise<number[]> {
  const times: number[] = []
  const end = performance.now() + forSeconds * 1000
  while (performance.now() < end) {
    const started = performance.now()
    const status = await get(path)
    if (status !== 200) throw new Error(`${path} answered ${status}`)
    times.push(performance.now() - started)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return times
}

function report(what: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(0)
  console.log(`${what}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms (${times.length} requests)`)
}
