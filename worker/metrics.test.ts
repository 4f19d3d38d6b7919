// A worker's GET /metrics: Prometheus's text format, whose counters, histograms and gauges move
// as its jobs run.
import { describe, expect, it } from 'vitest'
import { useTestDatabase } from '../test/database.ts'
import { until } from '../test/until.ts'
import { parsePrometheusText, type Sample } from '../test/prometheus-text.ts'
import { createApp } from '../lib/queue/app.ts'
import { WorkerMetrics } from './metrics.ts'
import { Worker } from './worker.ts'

const t = useTestDatabase()

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, v]) => sample.labels[key] === v))?.value

describe('worker metrics', () => {
  it('counts attempts by task, queue and outcome, times them and the database round trips, and serves them', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('ok', {}, async () => null)
    app.task('flaky', { retry: 1, queue: 'side' }, async () => {
      throw new Error('no')
    })
    const [first] = await app.defer([{ task: 'ok' }, { task: 'ok' }, { task: 'flaky' }])
    // The first has waited 20 s since it was deferred.
    await t.sql(`UPDATE procrastinate_events SET at = at - interval '20 seconds' WHERE job_id = $1`, [first])
    const worker = new Worker(app, { metricsPort: 0, log: () => {} })
    const running = worker.run()
    const scrape = async () => {
      const response = await fetch(`http://127.0.0.1:${worker.servedPorts().metrics}/metrics`)
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
      return parsePrometheusText(await response.text())
    }
    // A claim's wait is measured beside its task's run: the retry's may come after its end.
    const counted = (samples: Sample[]) => value(samples, 'manana_worker_attempts_total', { outcome: 'failed' }) === 1 && value(samples, 'manana_worker_queue_wait_seconds_count', { task: 'flaky' }) === 2
    await until(async () => worker.servedPorts().metrics !== undefined && counted((await scrape()).samples), 'the failed attempt and both claims of flaky counted')
    const { samples, types } = await scrape()
    worker.stop()
    await running
    await app.close()

    expect(types).toEqual({
      manana_worker_attempts_total: 'counter',
      manana_worker_attempt_duration_seconds: 'histogram',
      manana_worker_queue_wait_seconds: 'histogram',
      manana_worker_db_round_trip_seconds: 'histogram',
      manana_worker_recovered_jobs_total: 'counter',
      manana_worker_running_jobs: 'gauge',
      manana_worker_claimed_ahead_jobs: 'gauge',
    })
    expect(value(samples, 'manana_worker_attempts_total', { task: 'ok', queue: 'default', outcome: 'succeeded' })).toBe(2)
    expect(value(samples, 'manana_worker_attempts_total', { task: 'flaky', queue: 'side', outcome: 'retry_scheduled' })).toBe(1)
    expect(value(samples, 'manana_worker_attempts_total', { task: 'flaky', queue: 'side', outcome: 'failed' })).toBe(1)
    expect(value(samples, 'manana_worker_attempt_duration_seconds_count', { task: 'ok' })).toBe(2)
    expect(value(samples, 'manana_worker_attempt_duration_seconds_bucket', { task: 'flaky', le: '+Inf' })).toBe(2)
    const buckets = samples.filter((sample) => sample.name === 'manana_worker_attempt_duration_seconds_bucket' && sample.labels.task === 'ok').map((sample) => sample.value)
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b)) // cumulative
    // Three claims of ok and flaky's first attempt (flaky's retry may be claimed by the call that records its failure).
    expect(value(samples, 'manana_worker_queue_wait_seconds_count', { task: 'ok' })).toBe(2)
    expect(value(samples, 'manana_worker_queue_wait_seconds_bucket', { task: 'ok', le: '10' })).toBe(1)
    expect(value(samples, 'manana_worker_queue_wait_seconds_bucket', { task: 'ok', le: '30' })).toBe(2)
    expect(value(samples, 'manana_worker_queue_wait_seconds_count', { task: 'flaky' })).toBe(2)
    expect(value(samples, 'manana_worker_db_round_trip_seconds_count', { call: 'end' })).toBeGreaterThan(0)
    expect(value(samples, 'manana_worker_db_round_trip_seconds_count', { call: 'fetch' })).toBeGreaterThan(0)
    expect(value(samples, 'manana_worker_running_jobs')).toBe(0)
    expect(value(samples, 'manana_worker_recovered_jobs_total')).toBe(0)
  })

  it('measures queue waits only when asked to, or when it serves its metrics', async () => {
    const app = createApp({ databaseUrl: t.url })
    app.task('ok', {}, async () => null)
    await app.defer([{ task: 'ok' }])
    const quiet = new Worker(app, { once: true, log: () => {} })
    await quiet.run()
    expect(quiet.metricsText()).not.toContain('manana_worker_queue_wait_seconds_count')
    await app.defer([{ task: 'ok' }])
    const asked = new Worker(app, { once: true, measureQueueWait: true, log: () => {} })
    await asked.run()
    expect(asked.metricsText()).toContain('manana_worker_queue_wait_seconds_count{task="ok"} 1') // measured before run() ends
    await app.close()
  })

  it('escapes label values as the text format asks', () => {
    const metrics = new WorkerMetrics()
    metrics.observe({ level: 'info', event: 'job.succeeded', message: '', task: 'say "hi"\\\nbye', queue: 'q', durationMs: 3 })
    const { samples } = parsePrometheusText(metrics.text({ running: 1, claimedAhead: 2 }))
    expect(value(samples, 'manana_worker_attempts_total')).toBe(1)
    expect(samples.find((sample) => sample.name === 'manana_worker_attempts_total')!.labels.task).toBe('say "hi"\\\nbye')
    expect(value(samples, 'manana_worker_attempt_duration_seconds_bucket', { le: '0.0025' })).toBe(0)
    expect(value(samples, 'manana_worker_attempt_duration_seconds_bucket', { le: '0.005' })).toBe(1)
    expect(value(samples, 'manana_worker_claimed_ahead_jobs')).toBe(2)
  })
})
