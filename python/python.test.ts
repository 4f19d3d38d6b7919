// The Python add-on (python/manana_procrastinate) with upstream Procrastinate 3.9 and Debian's
// Python: its own tests, the proposal's demo as its README runs it, a TypeScript child between
// Python parents and grandchildren, and `pip install ./python` into a virtualenv.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../lib/db/project-root.ts'
import { createApp } from '../lib/queue/app.ts'
import { codeBySqlState } from '../lib/queue/errors.ts'
import { useTestDatabase } from '../test/database.ts'
import { hasUpstream, python, upstreamDir } from '../test/upstream-python.ts'
import { Worker } from '../worker/worker.ts'

const t = useTestDatabase()
const addOn = path.join(projectRoot, 'python')
const env = () => ({ ...process.env, DATABASE_URL: t.url, PYTHONPATH: `${addOn}:${upstreamDir}`, PYTHONDONTWRITEBYTECODE: '1' })
if (!hasUpstream) console.warn(`skipping the Python add-on's tests: ${upstreamDir} is absent`)

/** Runs Python with the add-on and upstream on its path; its exit code and what it printed. */
function runPython(args: string[], options: { cwd?: string; timeout?: number } = {}) {
  const run = spawnSync(python, args, { cwd: options.cwd ?? addOn, env: env(), encoding: 'utf8', timeout: options.timeout ?? 60_000 })
  return { status: run.status, out: run.stdout, err: run.stderr }
}

const stops: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const stop of stops) await stop()
})

describe.skipIf(!hasUpstream)('the Python add-on', () => {
  it("passes its own tests (the proposal's snippets word for word, with upstream's worker)", () => {
    const run = runPython(['-m', 'unittest', 'discover', '-s', 'tests', '-v'])
    expect(run.err, run.err).toMatch(/\nOK\n?$/)
    expect(run.status).toBe(0)
  })

  it('knows the same error codes as the TypeScript API', () => {
    const run = runPython(['-c', 'import json; from manana_procrastinate.errors import CODES_BY_SQLSTATE; print(json.dumps(CODES_BY_SQLSTATE))'])
    expect(JSON.parse(run.out)).toEqual(codeBySqlState)
  })

  it("runs the proposal's demo: download → process → report in order, and a failed parent's child says it failed", () => {
    const deferred = runPython(['-m', 'manana_procrastinate.demos.demo_workflow'])
    expect(deferred.status, deferred.err).toBe(0)
    expect(deferred.out).toMatch(/^deferred: download \d+, \d+ → process \d+ → report \d+; call \d+ \(fails\) → notify \d+$/m)
    const worker = runPython(['-m', 'procrastinate', '--app=manana_procrastinate.demos.app', 'worker', '--one-shot'])
    expect(worker.status, worker.err).toBe(0)
    const printed = worker.out.split('\n').filter(Boolean)
    const at = (start: string) => printed.findIndex((line) => line.startsWith(start))
    expect(printed.filter((line) => line.startsWith('downloaded'))).toHaveLength(2)
    expect(at('processing the data of 2 download(s)')).toBeGreaterThan(Math.max(...printed.flatMap((line, i) => (line.startsWith('downloaded') ? [i] : []))))
    expect(at('report ready')).toBeGreaterThan(at('processing'))
    expect(printed[at('parent(s)')]).toMatch(/^parent\(s\) \[\d+\] failed: an operator is told$/)
  })

  it('runs a TypeScript child between a Python parent and a Python grandchild, each reading its parents', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('summarize', { queue: 'ts' }, async (_args, { getParentStatuses }) => ({ parents: await getParentStatuses() }))
    const worker = new Worker(app, { queues: ['ts'], log: () => {} })
    const running = worker.run()
    stops.push(async () => {
      worker.stop()
      await running
      await app.close()
    })
    await new Promise((resolve) => setTimeout(resolve, 500)) // registered: its task announced (queue ts)
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manana-py-')), 'cross.py')
    fs.writeFileSync(
      script,
      `import asyncio, json, os
from procrastinate import PsycopgConnector
from manana_procrastinate import App

app = App(connector=PsycopgConnector(conninfo=os.environ["DATABASE_URL"]))
seen = {}

@app.task(queue="py")
async def extract():
    return None

@app.task(queue="py", pass_context=True)
async def publish(context):
    seen["statuses"] = await context.get_parent_statuses_async()
    seen["results"] = await context.get_parent_results_async()

async def main():
    async with app.open_async():
        parent = await extract.defer_async()
        child = await app.configure_task("summarize", depends_on=[parent]).defer_async()  # TypeScript's, in its announced queue
        grandchild = await publish.configure(depends_on=[child]).defer_async()
        for _ in range(200):
            await app.run_worker_async(queues=["py"], wait=False, install_signal_handlers=False)
            if "statuses" in seen:
                break
            await asyncio.sleep(0.1)
        print(json.dumps({"ids": [parent, child, grandchild], **{key: {str(k): v for k, v in value.items()} for key, value in seen.items()}}))

asyncio.run(main())
`,
    )
    const run = await new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(python, [script], { env: env() })
      let out = ''
      let err = ''
      child.stdout.on('data', (chunk) => (out += chunk))
      child.stderr.on('data', (chunk) => (err += chunk))
      child.on('close', (status) => resolve({ status, out, err }))
    })
    expect(run.status, run.err).toBe(0)
    const { ids, statuses, results } = JSON.parse(run.out)
    const [parent, child] = ids as number[]
    expect(await t.sql('SELECT queue_name FROM procrastinate_jobs WHERE id = $1', [child])).toEqual([{ queue_name: 'ts' }])
    expect(statuses).toEqual({ [child!]: 'succeeded' })
    expect(results).toEqual({ [child!]: { parents: { [parent!]: 'succeeded' } } })
  })

  it('installs with pip into a virtualenv, offline', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manana-venv-'))
    // A copy, as the npm package ships it: building writes into the folder it builds.
    const shipped = path.join(dir, 'python')
    fs.cpSync(addOn, shipped, { recursive: true, filter: (source) => !/__pycache__|\.egg-info|\/build$|\/tests$|\.test\.ts$/.test(source) })
    try {
      // Debian's psycopg from the system's packages; upstream Procrastinate from ../shared (on PYTHONPATH, as if installed).
      expect(spawnSync(python, ['-m', 'venv', '--system-site-packages', path.join(dir, 'venv')]).status).toBe(0)
      const pip = spawnSync(path.join(dir, 'venv/bin/pip'), ['install', '--no-index', '--no-build-isolation', shipped], { env: { ...process.env, PYTHONPATH: upstreamDir }, encoding: 'utf8', cwd: dir })
      expect(pip.status, pip.stderr + pip.stdout).toBe(0)
      const imported = spawnSync(path.join(dir, 'venv/bin/python'), ['-c', 'import manana_procrastinate, importlib.metadata as m; print(m.version("manana-procrastinate"))'], { env: { ...process.env, PYTHONPATH: upstreamDir }, encoding: 'utf8', cwd: dir })
      expect(imported.stdout.trim(), imported.stderr).toBe('0.1.0')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
