// One LISTEN connection on Procrastinate's channels, reconnecting after a loss (a PostgreSQL
// restart); the worker polls meanwhile, so nothing waits longer than the polling interval.
// The same session holds the worker's liveness lock (see the worker_liveness migration): when
// the process dies, the server ends the session, and other workers see the lock gone at once.
import pg from 'pg'
import { ManaError, queueNameTooLong } from '../lib/queue/errors.ts'
import type { Log } from '../lib/observe/log.ts'

export interface ListenerEvents {
  /** A job was inserted, or a child became ready. */
  onJobReady(): void
  onAbortRequested(jobId: number): void
  /** Listening again after a loss: what was announced meanwhile was missed. */
  onReconnected(): void
  /** Someone asks to run or preview a workflow definition called `name` (worker/workflow-requests.ts). */
  onWorkflowRequested(name: string): void
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
  /** Its connection is up and LISTENs on every channel. */
  listening = false
  private lockRetry?: NodeJS.Timeout

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly channels: string[],
    private readonly events: ListenerEvents,
    private readonly log: Log,
    /** The worker whose liveness lock this session holds. */
    private workerId: number,
  ) {}

  async start(): Promise<void> {
    await this.connect()
  }

  async close(): Promise<void> {
    this.closed = true
    this.listening = false
    clearTimeout(this.lockRetry)
    await this.client?.end().catch(() => {})
  }

  /** The worker registered again under a new id: the session holds that id's lock instead. */
  async holdLockFor(workerId: number): Promise<void> {
    this.workerId = workerId
    await this.client?.query('SELECT pg_advisory_unlock_all()').catch(() => {})
    if (this.client) await this.holdLock(this.client)
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.connection)
    client.on('notification', (message) => this.dispatch(message.payload))
    client.on('error', () => {}) // 'end' follows, and reconnects
    client.on('end', () => {
      this.listening = false
      if (!this.closed) this.reconnect()
    })
    await client.connect()
    for (const channel of this.channels) await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`)
    this.client = client
    this.listening = true
    await this.holdLock(client)
  }

  /**
   * Takes the liveness lock. An earlier session of this worker may hold it still (the server
   * has not yet seen that connection drop): then it tries again each second.
   */
  private async holdLock(client: pg.Client): Promise<void> {
    clearTimeout(this.lockRetry)
    const [row] = (await client.query<{ held: boolean }>('SELECT manana_hold_worker_lock($1) AS held', [this.workerId])).rows
    if (!row!.held && !this.closed && client === this.client) {
      this.lockRetry = setTimeout(() => this.holdLock(client).catch(() => {}), 1000).unref()
    }
  }

  private reconnect(delay = 500): void {
    setTimeout(() => {
      if (this.closed) return
      this.connect().then(
        () => {
          this.log('listening again for notifications')
          this.events.onReconnected()
        },
        () => this.reconnect(Math.min(delay * 2, 5000)),
      )
    }, delay).unref()
  }

  private dispatch(payload: string | undefined): void {
    let message: { type?: string; job_id?: number; name?: string }
    try {
      message = JSON.parse(payload ?? '')
    } catch {
      return
    }
    if (message.type === 'job_inserted') this.events.onJobReady()
    else if (message.type === 'abort_job_requested' && typeof message.job_id === 'number') {
      this.events.onAbortRequested(message.job_id)
    } else if (message.type === 'workflow_requested' && typeof message.name === 'string') this.events.onWorkflowRequested(message.name)
  }
}
