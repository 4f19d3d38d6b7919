// One LISTEN connection on Procrastinate's channels, reconnecting after a loss (a PostgreSQL
// restart); the worker polls meanwhile, so nothing waits longer than the polling interval.
import pg from 'pg'
import { ManaError, queueNameTooLong } from '../lib/queue/errors.ts'
import type { Log } from './log.ts'

export interface ListenerEvents {
  /** A job was inserted, or a child became ready. */
  onJobReady(): void
  onAbortRequested(jobId: number): void
}

/** The channels that announce jobs of these queues (all queues: null). */
export function channelsFor(queues: string[] | null): string[] {
  const channels = queues ? queues.map((queue) => `procrastinate_queue_v1#${queue}`) : ['procrastinate_any_queue_v1']
  // PostgreSQL would cut a longer channel name, and no job would ever be announced on it.
  const tooLong = channels.find((channel) => Buffer.byteLength(channel) > 63)
  if (tooLong) throw new ManaError('invalid_job', `${queueNameTooLong} (${tooLong.slice('procrastinate_queue_v1#'.length)})`)
  return channels
}

export class Listener {
  private client?: pg.Client
  private closed = false

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly channels: string[],
    private readonly events: ListenerEvents,
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    await this.connect()
  }

  async close(): Promise<void> {
    this.closed = true
    await this.client?.end().catch(() => {})
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.connection)
    client.on('notification', (message) => this.dispatch(message.payload))
    client.on('error', () => {}) // 'end' follows, and reconnects
    client.on('end', () => {
      if (!this.closed) this.reconnect()
    })
    await client.connect()
    for (const channel of this.channels) await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`)
    this.client = client
  }

  private reconnect(delay = 500): void {
    setTimeout(() => {
      if (this.closed) return
      this.connect().then(
        () => {
          this.log('listening again for notifications')
          this.events.onJobReady() // something may have become ready while we were away
        },
        () => this.reconnect(Math.min(delay * 2, 5000)),
      )
    }, delay).unref()
  }

  private dispatch(payload: string | undefined): void {
    let message: { type?: string; job_id?: number }
    try {
      message = JSON.parse(payload ?? '')
    } catch {
      return
    }
    if (message.type === 'job_inserted') this.events.onJobReady()
    else if (message.type === 'abort_job_requested' && typeof message.job_id === 'number') {
      this.events.onAbortRequested(message.job_id)
    }
  }
}
