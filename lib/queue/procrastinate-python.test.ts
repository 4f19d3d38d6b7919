// Upstream Procrastinate 3.9's own Python code against a Mañana database: the calls its users
// make that read Mañana's tables directly (see ../shared/PROCRASTINATE.md).
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../../test/database.ts'
import { hasUpstream, python, pythonApp, upstreamDir } from '../../test/upstream-python.ts'
import { deferJobs } from './defer.ts'
import { QueueManager } from './queues.ts'

const t = useTestDatabase()
if (!hasUpstream) console.warn(`skipping the tests of upstream's Python calls: ${upstreamDir} is absent`)

/** Runs `script` (async, after the app module and `tasks`) with upstream's package; returns what it printed. */
function runPython(script: string, tasks = ''): string {
  const app = pythonApp(t.url, `\nimport asyncio, json\n${tasks}\n\nasync def main():\n    async with app.open_async():\n${script}\n\nasyncio.run(main())\n`)
  try {
    const run = spawnSync(python, ['py_app.py'], { cwd: app.cwd, env: app.env, encoding: 'utf8' })
    expect(run.stderr, run.stderr).not.toMatch(/Error/)
    expect(run.status).toBe(0)
    return run.stdout
  } finally {
    app.remove()
  }
}

describe.skipIf(!hasUpstream)("upstream Procrastinate's Python calls", () => {
  it('get_stalled_jobs, by time since started (deprecated, still documented) and by heartbeat', async () => {
    const [running, stalled] = await deferJobs(t.db, [{ task: 'running' }, { task: 'stalled' }])
    const [registered] = await t.sql(`SELECT worker_id FROM procrastinate_register_worker_v1()`)
    const worker = registered!.worker_id
    await t.sql(`SELECT id FROM manana_fetch_jobs(NULL, $1, 2)`, [worker])
    // The second job's worker died: no heartbeat for a minute.
    await t.sql(`UPDATE procrastinate_jobs SET worker_id = NULL WHERE id = $1`, [stalled])
    await t.sql(`UPDATE procrastinate_events SET at = at - interval '1 hour' WHERE job_id = $1`, [stalled])
    const printed = runPython(`
        by_time = await app.job_manager.get_stalled_jobs(nb_seconds=600)
        by_heartbeat = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=30)
        print(json.dumps([sorted(job.id for job in by_time), sorted(job.id for job in by_heartbeat)]))`)
    expect(JSON.parse(printed)).toEqual([[stalled], [stalled]])
    expect(running).toBeLessThan(stalled!)
  })

  it("a Python worker starts no job of a paused queue, and runs it once the queue is resumed", async () => {
    const [id] = await deferJobs(t.db, [{ task: 'py_task', queue: 'io' }])
    const tasks = `\n@app.task(name="py_task", queue="io")\ndef py_task():\n    print("ran")\n`
    const runWorker = () => runPython(`        await app.run_worker_async(queues=["io"], wait=False, install_signal_handlers=False)`, tasks)
    const queues = new QueueManager(t.db)
    await queues.pause('io')
    expect(runWorker()).not.toMatch(/ran/)
    expect(await t.sql('SELECT status FROM procrastinate_jobs WHERE id = $1', [id])).toEqual([{ status: 'todo' }])
    await queues.resume('io')
    expect(runWorker()).toMatch(/ran/)
    expect(await t.sql('SELECT status FROM procrastinate_jobs WHERE id = $1', [id])).toEqual([{ status: 'succeeded' }])
  })
})
