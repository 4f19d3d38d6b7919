// Rolling upgrades: `manana migrate` runs first, while the workers of the release before keep
// running, so every migration keeps the SQL functions (and their signatures) that those workers
// call. Checked with the real thing: the worker of the commit below, taken from this repository's
// history, runs a workflow on a database migrated by this code.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { projectRoot } from '../lib/db/project-root.ts'
import { deferWorkflow } from '../lib/queue/defer.ts'

/** The release before this one (at 0.1.0, unreleased: the last commit of the previous round). Move it forward at each release. */
const previousRelease = '58742c9'

const t = useTestDatabase()
const history = spawnSync('git', ['-C', projectRoot, 'cat-file', '-e', `${previousRelease}^{commit}`]).status === 0
let dir: string

// A copy without the repository's history (a tarball) cannot check out the release before: it says so.
describe.skipIf(!history)(`a worker of the previous release (${previousRelease}) on this schema`, () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manana-previous-'))
    const archive = spawnSync('git', ['-C', projectRoot, 'archive', previousRelease, 'worker', 'lib'], { maxBuffer: 1 << 28 })
    expect(archive.status, archive.stderr.toString()).toBe(0)
    const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout })
    expect(untar.status, untar.stderr.toString()).toBe(0)
    fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'))
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }')
    // As a service embeds it (manana/worker), with that release's own code only.
    fs.writeFileSync(
      path.join(dir, 'run-worker.ts'),
      `import { createApp } from './lib/queue/app.ts'
import { Worker } from './worker/worker.ts'
const app = createApp({ databaseUrl: process.env.DATABASE_URL })
app.task('step', {}, async (_args, ctx) => ({ parents: Object.keys(await ctx.getParentStatuses()).length }))
await new Worker(app, { once: true, pollInterval: 0.2, name: 'previous' }).run()
await app.close()
`,
    )
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('registers, runs a workflow to its end in dependency order, and unregisters', async () => {
    const ids = await deferWorkflow(t.db, {
      a: { task: 'step' },
      b: { task: 'step', dependsOn: ['a'] },
      c: { task: 'step', dependsOn: ['a'] },
      d: { task: 'step', dependsOn: ['b', 'c'] },
    })
    const child = spawn(process.execPath, ['--import', 'tsx', 'run-worker.ts'], { cwd: dir, env: { ...process.env, DATABASE_URL: t.url }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code, output).toBe(0)
    expect(await t.sql('SELECT id::int, status, result FROM procrastinate_jobs ORDER BY id')).toEqual([
      { id: ids.a, status: 'succeeded', result: { parents: 0 } },
      { id: ids.b, status: 'succeeded', result: { parents: 1 } },
      { id: ids.c, status: 'succeeded', result: { parents: 1 } },
      { id: ids.d, status: 'succeeded', result: { parents: 2 } },
    ])
    expect(await t.sql('SELECT id FROM procrastinate_workers')).toEqual([])
  }, 60_000)
})
