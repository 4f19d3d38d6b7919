// Many people watching one big workflow: VIEWERS clients each asking for the timeline of a
// 10,000-job workflow again EVERY ms after each answer (200 by default: as often as the console's
// live stream can announce a change of a running workflow; 0: at once), while a probe times an
// unrelated request (a job's page) every 100 ms: first as the console asks (naming the ETag of the answer it has:
// 304 while it is current), then as a client that asks afresh each time (the whole answer each
// time, as while the workflow changes). Prints the probe's latencies alone and under the
// viewers, how many timelines were answered, and the console's memory. Runs the built console on a fresh database of
// DATABASE_URL's server (or embedded PostgreSQL).
// Usage: npm run bench:viewers [-- --viewers 20 --every 200 --seconds 20 --view timeline|graph]
import { once } from 'node:events'
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
  options: { viewers: { type: 'string', default: '20' }, every: { type: 'string', default: '200' }, seconds: { type: 'string', default: '20' }, view: { type: 'string', default: 'timeline' }, port: { type: 'string', default: '3190' } },
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
  const get = async (path: string, etag?: string) => {
    const response = await fetch(base + path, { headers: { authorization: `Bearer ${token}`, ...(etag && { 'if-none-match': etag }) } })
    await response.arrayBuffer()
    return { status: response.status, etag: response.headers.get('etag') ?? undefined }
  }
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024
  try {
    // Warm (its first answer computed), and how big it is.
    const first = await fetch(`${base}/api/jobs/${last}/${values.view}`, { headers: { authorization: `Bearer ${token}` } })
    const sent = (await first.arrayBuffer()).byteLength
    console.log(`the ${values.view}: ${(sent / 1e6).toFixed(1)} MB (sent ${first.headers.get('content-encoding') ?? 'as is'})`)
    const alone = await probe(get, `/api/jobs/${other}`, seconds / 2)
    report('unrelated request, alone', alone)
    for (const revalidate of [true, false]) {
      let stop = false
      const answered = { 200: 0, 304: 0, 429: 0 }
      const watching = Array.from({ length: viewers }, async () => {
        let etag: string | undefined
        while (!stop) {
          const answer = await get(`/api/jobs/${last}/${values.view}`, revalidate ? etag : undefined)
          if (!(answer.status in answered)) throw new Error(`${values.view} answered ${answer.status}`)
          answered[answer.status as keyof typeof answered]++
          if (answer.status === 200) etag = answer.etag
          await new Promise((resolve) => setTimeout(resolve, answer.status === 429 ? 1000 : Number(values.every)))
        }
      })
      let peak = rss()
      const sampling = setInterval(() => (peak = Math.max(peak, rss())), 500)
      const under = await probe(get, `/api/jobs/${other}`, seconds)
      stop = true
      await Promise.all(watching)
      clearInterval(sampling)
      const how = revalidate ? 'naming the ETag they have' : 'asking afresh'
      report(`unrelated request, ${viewers} viewers asking for a 10,000-job ${values.view} every ${values.every} ms, ${how}`, under)
      console.log(`  ${values.view} answers: ${answered[200]} whole, ${answered[304]} not modified, ${answered[429]} refused (${((answered[200] + answered[304]) / seconds).toFixed(1)}/s); console memory peak ${peak.toFixed(0)} MB`)
    }
  } finally {
    server.kill('SIGTERM')
    await once(server, 'exit') // before its database is dropped
    await app.close()
  }
})

async function probe(get: (path: string) => Promise<{ status: number }>, path: string, forSeconds: number): Promise<number[]> {
  const times: number[] = []
  const end = performance.now() + forSeconds * 1000
  while (performance.now() < end) {
    const started = performance.now()
    const { status } = await get(path)
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
