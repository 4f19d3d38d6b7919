// A task's log lines: kept per attempt with their level and time, readable while the job runs,
// bounded per attempt and per line, deleted with their job.
import { afterEach, describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { until } from '../test/until.ts'
import { createApp } from '../lib/queue/app.ts'
import { jobLogs } from '../lib/console/job-logs.ts'
import type { ConsoleContext } from '../lib/console/context.ts'
import { maxLineLength, maxLinesPerAttempt } from './job-logs.ts'
import { Worker } from './worker.ts'

const t = useTestDatabase()
const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()))
})

function startWorker(app: ReturnType<typeof createApp>) {
  const worker = new Worker(app, { pollInterval: 0.2, heartbeatInterval: 0.2, log: () => {} })
  const running = worker.run()
  stops.push(async () => {
    worker.stop()
    await running
    await app.close()
  })
}

const logsOf = (id: number, attempt?: number) => jobLogs(t as unknown as ConsoleContext, id, attempt)
const statusOf = async (id: number) => (await t.sql<{ status: string }>('SELECT status FROM procrastinate_jobs WHERE id = $1', [id]))[0]?.status

describe('job logs', () => {
  it('keeps each attempt\'s lines with their level, formatted as console.log does, and shows them while the job runs', async () => {
    const app = createApp({ databaseUrl: t.url })
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    app.task('load', { retry: 1 }, async (_args, { log, logger, attempt }) => {
      log('loading %d rows from %s', 42, 's3://bucket/a.csv', { dryRun: false })
      logger.warn('slow disk')
      if (attempt === 1) throw new Error('boom')
      logger.debug('second try')
      await released
      logger.error('done, with errors')
    })
    const [id] = await app.defer([{ task: 'load' }])
    startWorker(app)
    // Attempt 2 runs, blocked: its first lines are there already.
    const running = await until(async () => {
      const logs = await logsOf(id!)
      return logs.attempt === 2 && logs.lines.length === 3 && logs
    }, 'the second attempt\'s lines while it runs')
    expect(await statusOf(id!)).toBe('doing')
    expect(running.attempts).toEqual([{ attempt: 1, lines: 2 }, { attempt: 2, lines: 3 }])
    expect(running.lines.map(({ level, message }) => [level, message])).toEqual([
      ['info', "loading 42 rows from s3://bucket/a.csv { dryRun: false }"],
      ['warn', 'slow disk'],
      ['debug', 'second try'],
    ])
    release()
    await until(async () => (await statusOf(id!)) === 'succeeded', 'the job to succeed')
    // Written before the end was recorded.
    expect((await logsOf(id!)).lines.at(-1)).toMatchObject({ level: 'error', message: 'done, with errors' })
    expect((await logsOf(id!, 1)).lines.map((line) => line.message)).toEqual(["loading 42 rows from s3://bucket/a.csv { dryRun: false }", 'slow disk'])
    const times = (await logsOf(id!)).lines.map((line) => Date.parse(line.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    // Deleted with the job.
    await t.sql('DELETE FROM procrastinate_jobs WHERE id = $1', [id])
    expect(await t.sql('SELECT 1 FROM manana_job_logs')).toEqual([])
  })

  it('keeps at most a thousand lines per attempt and says how many more were dropped; long lines are cut', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('chatty', {}, async (_args, { log }) => {
      log('x'.repeat(maxLineLength + 100))
      for (let i = 1; i < maxLinesPerAttempt + 250; i++) log(`line ${i}`)
    })
    const [id] = await app.defer([{ task: 'chatty' }])
    startWorker(app)
    await until(async () => (await statusOf(id!)) === 'succeeded', 'the job to succeed')
    const { lines, attempts } = await logsOf(id!)
    expect(attempts).toEqual([{ attempt: 1, lines: maxLinesPerAttempt + 1 }])
    expect(lines[0]!.message).toHaveLength(maxLineLength)
    expect(lines[0]!.message.endsWith('x…')).toBe(true)
    expect(lines[maxLinesPerAttempt - 1]!.message).toBe(`line ${maxLinesPerAttempt - 1}`)
    expect(lines.at(-1)).toMatchObject({ level: 'warn', message: `250 more line(s) dropped: an attempt keeps ${maxLinesPerAttempt}` })
  })

  it('an unknown job is job_not_found', async () => {
    await expect(logsOf(123456)).rejects.toMatchObject({ code: 'job_not_found' })
  })
})
