// The worker's records: one per thing that happened, with the job's id, task, queue, attempt,
// workflow, duration and error where they apply, handed to the app's logger whole, or written
// as JSON lines or as text.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { until } from '../test/until.ts'
import { createApp } from '../lib/queue/app.ts'
import { lineLogger, logLevelFrom, type LogRecord } from '../lib/observe/log.ts'
import { Worker } from './worker.ts'

const t = useTestDatabase()

describe('worker records', () => {
  it('writes lines of info and above unless MANANA_LOG_LEVEL asks for debug', () => {
    const lines: string[] = []
    const say = (logger: ReturnType<typeof lineLogger>) => {
      logger({ level: 'debug', event: 'job.released', message: 'put back' })
      logger({ level: 'info', event: 'job.started', message: 'started' })
    }
    say(lineLogger('w', 'text', (line) => lines.push(line), logLevelFrom(undefined)))
    expect(lines.map((line) => line.split('] ')[1])).toEqual(['started'])
    lines.length = 0
    say(lineLogger('w', 'text', (line) => lines.push(line), logLevelFrom('debug')))
    expect(lines.map((line) => line.split('] ')[1])).toEqual(['put back', 'started'])
    expect(() => logLevelFrom('verbose')).toThrow(/MANANA_LOG_LEVEL must be one of debug, info, warn, error/)
  })

  it('says what each attempt did, and what the worker did, as structured records', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('ok', {}, async (_args, ctx) => ctx.log('working'))
    let calls = 0
    app.task('flaky', { retry: 1 }, async () => {
      throw new Error(`attempt ${++calls} failed`)
    })
    const ids = await app.deferWorkflow({ first: { task: 'ok' }, then: { task: 'flaky', dependsOn: ['first'] } })
    // A job that a worker gone for an hour had started: recovered, then failed (no retries).
    app.task('orphan', {}, async () => null)
    const [orphan] = await app.defer([{ task: 'orphan', queue: 'side' }])
    const [dead] = await t.sql<{ worker_id: string }>(`SELECT worker_id FROM procrastinate_register_worker_v1()`)
    await t.sql(`SELECT id FROM manana_fetch_jobs('{side}', $1, 1)`, [dead!.worker_id])
    await t.sql(`UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id = $1`, [dead!.worker_id])
    await t.sql(`UPDATE procrastinate_events SET at = now() - interval '1 hour' WHERE type = 'started'`)

    const records: LogRecord[] = []
    const worker = new Worker(app, { staleAfter: 5, heartbeatInterval: 0.1, pollInterval: 0.2, logger: (record) => records.push(record) })
    const running = worker.run()
    const ended = ['job.failed', 'worker.recovered_jobs', 'job.succeeded']
    await until(async () => ended.every((event) => records.some((record) => record.event === event)), ended.join(', '))
    worker.stop()
    await running
    const workflow = Number((await t.sql<{ workflow_id: string }>('SELECT workflow_id FROM procrastinate_jobs WHERE id = $1', [ids.first]))[0]!.workflow_id)
    const of = (job: number) => records.filter((record) => record.job === job).map(({ event, attempt, level }) => [event, attempt, level])
    expect(of(ids.first)).toEqual([
      ['job.started', 1, 'info'],
      ['job.log', 1, 'info'],
      ['job.succeeded', 1, 'info'],
    ])
    expect(of(ids.then)).toEqual([
      ['job.started', 1, 'info'],
      ['job.retry_scheduled', 1, 'warn'],
      ['job.started', 2, 'info'],
      ['job.failed', 2, 'error'],
    ])
    const failed = records.find((record) => record.event === 'job.failed')!
    expect(failed).toMatchObject({
      message: expect.stringContaining(`job ${ids.then} flaky failed (attempt 2 failed)`),
      worker: worker.id,
      job: ids.then,
      task: 'flaky',
      queue: 'default',
      attempt: 2,
      workflow,
      durationMs: expect.any(Number),
      error: { message: 'attempt 2 failed', stack: expect.stringContaining('Error: attempt 2 failed') },
    })
    expect(records.find((record) => record.event === 'job.succeeded')).toMatchObject({ workflow, durationMs: expect.any(Number) })
    expect(records.find((record) => record.event === 'worker.recovered_jobs')).toMatchObject({
      level: 'warn',
      job: orphan,
      task: 'orphan',
      queue: 'side',
      workflow: null,
      error: { message: expect.stringContaining('stopped sending heartbeats') },
    })
    expect(records[0]).toMatchObject({ event: 'worker.started', level: 'info', worker: expect.any(Number) })
    expect(records.at(-1)).toMatchObject({ event: 'worker.stopped' })
    await app.close()
  })

  it('writes records as JSON lines or as text', () => {
    const lines: string[] = []
    const record: LogRecord = { level: 'warn', event: 'job.retry_scheduled', message: 'job 7 flaky failed (boom), retry in 1 s', job: 7, task: 'flaky', attempt: 1 }
    lineLogger('w1', 'json', (line) => lines.push(line))(record)
    lineLogger('w1', 'text', (line) => lines.push(line))(record)
    expect(JSON.parse(lines[0]!)).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), name: 'w1', ...record })
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[w1\] job 7 flaky failed \(boom\), retry in 1 s$/)
  })

  it("prints a task's lines as text that can neither forge a record nor reach the terminal raw, within the limits the database keeps", async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('forger', {}, async (_args, ctx) => {
      ctx.log('ok\r\n2026-01-01T00:00:00.000Z [forged-worker] job 1 step succeeded in 3 ms')
      ctx.log('\x1b]0;owned\x07\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \u202egnp.exe\ttab')
      ctx.log('x'.repeat(1_000_000))
      for (let i = 0; i < 1_100; i++) ctx.log(`line ${i}`)
    })
    const [id] = await app.defer([{ task: 'forger' }])
    const lines: string[] = []
    const worker = new Worker(app, { once: true, logFormat: 'text', log: (line) => lines.push(line) })
    await worker.run()
    await app.close()
    // One record per line, each as lineLogger starts it; nothing below a space but tabs.
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[[^\]]+\] /)
    expect(lines.join('')).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202e]/)
    const logged = lines.filter((line) => line.includes(`job ${id} forger`) && !line.includes(`job ${id} forger started`) && !line.includes(`job ${id} forger succeeded`))
    expect(logged[0]).toMatch(/\] job \d+ forger: ok\\r\\n2026-01-01T00:00:00.000Z \[forged-worker\] job 1 step succeeded in 3 ms$/)
    expect(logged[1]).toContain('forger: \\x1b]0;owned\\x07\\x1b[2J\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07 \\u202egnp.exe\ttab')
    expect(logged[2]!.length).toBeLessThan(4_100)
    // As many as an attempt keeps (1,000), then one warning, then nothing.
    expect(logged).toHaveLength(1_001)
    expect(logged.at(-2)).toMatch(/forger: line 996$/)
    expect(logged.at(-1)).toMatch(/forger warn: further lines are dropped: an attempt keeps 1000$/)
    expect(await t.sql('SELECT count(*)::int AS n FROM manana_job_logs WHERE job_id = $1', [id])).toEqual([{ n: 1_001 }])
  })
})
