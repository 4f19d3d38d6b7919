// A worker's metrics in Prometheus's text format (GET /metrics): what its records say happened
// (attempts by task, queue and outcome, their run times, recoveries), how long the jobs it
// claimed had waited, its database round trips, and, when scraped, what it runs and holds claimed.
import { Histogram, MetricsText, prometheusContentType, Series } from '../lib/observe/prometheus.ts'
import { type Answer } from './endpoints.ts'
import type { LogRecord } from '../lib/observe/log.ts'

/** Seconds: from 1 ms to 10 minutes, about ×2.5 apart. */
const runBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 150, 600]
/** Seconds: from 1 ms to an hour. */
const waitBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]
/** Seconds: from 0.25 ms to 5 s. */
const roundTripBuckets = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]

/** Where a record's attempt ended, as the `outcome` label. */
const outcomes: Record<string, string> = {
  'job.succeeded': 'succeeded',
  'job.failed': 'failed',
  'job.retry_scheduled': 'retry_scheduled',
  'job.aborted': 'aborted',
  'job.released': 'released',
}

export interface WorkerGauges {
  running: number
  claimedAhead: number
}

export class WorkerMetrics {
  private readonly attempts = new Series(() => ({ n: 0 }))
  private readonly runTimes = new Series(() => new Histogram(runBuckets))
  private readonly roundTrips = new Series(() => new Histogram(roundTripBuckets))
  private readonly waits = new Series(() => new Histogram(waitBuckets))
  private recovered = 0

  /** Counts what a record says ended (an attempt, with its run time) or was recovered. */
  observe(record: LogRecord): void {
    const outcome = outcomes[record.event]
    if (outcome && record.task !== undefined) {
      this.attempts.at({ task: record.task, queue: record.queue ?? '', outcome }).n++
      if (record.durationMs !== undefined) this.runTimes.at({ task: record.task }).observe(record.durationMs / 1000)
    }
    if (record.event === 'worker.recovered_jobs') this.recovered++
  }

  /** How long a job of `task` waited, in seconds, from when it became ready to its claim. */
  queueWait(task: string, seconds: number): void {
    this.waits.at({ task }).observe(seconds)
  }

  /** A call to the database that claimed jobs (`fetch`) or recorded ends (`end`), in ms. */
  roundTrip(call: 'fetch' | 'end', ms: number): void {
    this.roundTrips.at({ call }).observe(ms / 1000)
  }

  /** The text a scrape gets. */
  text(gauges: WorkerGauges): string {
    const text = new MetricsText()
    text.family('manana_worker_attempts_total', 'counter', 'Attempts this worker ended, by task, queue and outcome.')
    for (const { labels, value } of this.attempts.values.values()) text.sample('manana_worker_attempts_total', labels, value.n)
    text.family('manana_worker_attempt_duration_seconds', 'histogram', "How long this worker's attempts ran, by task.")
    for (const { labels, value } of this.runTimes.values.values()) text.histogram('manana_worker_attempt_duration_seconds', labels, value)
    text.family('manana_worker_queue_wait_seconds', 'histogram', 'How long jobs this worker claimed had been ready (deferred, retried, scheduled or their last parent ended), by task; measured with --metrics-port.')
    for (const { labels, value } of this.waits.values.values()) text.histogram('manana_worker_queue_wait_seconds', labels, value)
    text.family('manana_worker_db_round_trip_seconds', 'histogram', 'Calls to the database that claim jobs (fetch) or record ends (end).')
    for (const { labels, value } of this.roundTrips.values.values()) text.histogram('manana_worker_db_round_trip_seconds', labels, value)
    text.family('manana_worker_recovered_jobs_total', 'counter', 'Jobs of gone workers this worker recovered.').sample('manana_worker_recovered_jobs_total', {}, this.recovered)
    text.family('manana_worker_running_jobs', 'gauge', 'Jobs running in this worker now.').sample('manana_worker_running_jobs', {}, gauges.running)
    text.family('manana_worker_claimed_ahead_jobs', 'gauge', 'Jobs claimed ahead of free slots, waiting to start.').sample('manana_worker_claimed_ahead_jobs', {}, gauges.claimedAhead)
    return text.toString()
  }

  /** GET /metrics. */
  routes(gauges: () => WorkerGauges): Record<string, () => Answer> {
    return { '/metrics': () => ({ status: 200, contentType: prometheusContentType, body: this.text(gauges()) }) }
  }
}
