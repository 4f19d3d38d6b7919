// One session that LISTENs, for the worker and the console alike. It reconnects after any loss
// (one path for 'error' and 'end', jittered backoff, the cause said once) and proves that it
// hears what it listens to: a probe NOTIFY sent through another connection must come back. One
// that never does means the session is not the server's own (a pooler in transaction mode, where
// LISTEN and session locks land on a shared server backend) or is dead without knowing it.
import { randomBytes } from 'node:crypto'
import type pg from 'pg'
import { createClient } from './pool.ts'

export interface ListenerSettings {
  connection: pg.ClientConfig
  channels: string[]
  onNotification(channel: string, payload: string | undefined): void
  /** Sends a NOTIFY through another connection (the pool): the probe. */
  notify(channel: string, payload: string): Promise<void>
  /** A session proved to hear: hold what belongs to it (a liveness lock), or read what was missed. */
  onSession?(session: pg.Client, again: boolean): Promise<void>
  /** The session is gone (what it held went with it). */
  onSessionLost?(): void
  log(level: 'info' | 'warn', event: string, message: string): void
  /** Seconds a first probe may take (default 5; three times that for a session that heard before), and between probes (default 30). */
  probeTimeout?: number
  probeInterval?: number
}

const directUrlAdvice =
  'is the connection going through a pooler in transaction mode (PgBouncer)? Set MANANA_DIRECT_URL to a direct connection for sessions (README: "Behind a connection pooler")'

export class Listener {
  private client?: pg.Client
  private closed = false
  private sessions = 0
  private readonly probeChannel = `manana_probe_${randomBytes(6).toString('hex')}`
  /** The probe awaited (a late one still counts), and when it is given up. */
  private expected?: string
  private probeTimer?: NodeJS.Timeout
  private nextProbe?: NodeJS.Timeout
  private retry?: NodeJS.Timeout
  /** Its loss was said (once per loss). */
  private saidLost = false
  /** Resolves start() at the first session's first outcome. */
  private started?: () => void
  /** The session is up, LISTENs on every channel, and a probe came back. */
  listening = false
  /** Why notifications do not arrive, when a probe never came back. */
  problem?: string

  constructor(private readonly settings: ListenerSettings) {}

  /** Connects; resolves once the first session listens, or failed to (it tries again on its own). */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.started = resolve
      void this.connect()
    })
  }

  async close(): Promise<void> {
    this.closed = true
    this.listening = false
    clearTimeout(this.retry)
    clearTimeout(this.nextProbe)
    clearTimeout(this.probeTimer)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => {})
  }

  /** The session, while it is proved to hear. */
  get session(): pg.Client | undefined {
    return this.listening ? this.client : undefined
  }

  private async connect(delay = 0): Promise<void> {
    const { connection, channels } = this.settings
    const client = createClient(connection, (error) => this.lost(client, error))
    client.on('end', () => this.lost(client, new Error('the connection closed')))
    client.on('notification', ({ channel, payload }) => (channel === this.probeChannel ? this.probeArrived(client, payload) : this.settings.onNotification(channel, payload)))
    this.client = client
    try {
      await client.connect()
      for (const channel of [...channels, this.probeChannel]) await client.query(`LISTEN "${channel.replaceAll('"', '""')}"`)
    } catch (error) {
      this.lost(client, error as Error, delay)
      return
    }
    await this.sendProbe(client)
  }

  /** One way down for a session, whatever the event: said once, then a new session after a jittered wait. */
  private lost(client: pg.Client, cause: Error, delay = 0): void {
    if (client !== this.client || this.closed) return
    this.client = undefined
    clearTimeout(this.probeTimer)
    clearTimeout(this.nextProbe)
    this.expected = undefined
    if (!this.saidLost) this.settings.log('warn', 'listener.lost', `not listening for notifications (${cause.message}); polling until it reconnects`)
    this.saidLost = true
    if (this.listening) this.settings.onSessionLost?.()
    this.listening = false
    this.started?.()
    client.end().catch(() => {})
    const next = Math.min(Math.max(delay * 2, 250), 5000)
    this.retry = setTimeout(() => void this.connect(next), next * (0.5 + Math.random())).unref()
  }

  private async sendProbe(client: pg.Client): Promise<void> {
    if (client !== this.client) return
    const payload = randomBytes(6).toString('hex')
    // A session that heard before is given longer: a busy server is not a dead session.
    const timeout = (this.listening ? 3 : 1) * (this.settings.probeTimeout ?? 5) * 1000
    this.expected = payload
    this.probeTimer = setTimeout(() => this.probeMissed(client), timeout).unref()
    try {
      await this.settings.notify(this.probeChannel, payload)
    } catch {
      // The other connection failed, not this one: try again, in a second if it never heard yet.
      clearTimeout(this.probeTimer)
      this.started?.()
      this.scheduleProbe(client, this.listening ? undefined : 1)
    }
  }

  private probeArrived(client: pg.Client, payload: string | undefined): void {
    if (client !== this.client || this.expected === undefined || payload !== this.expected) return
    clearTimeout(this.probeTimer)
    this.expected = undefined
    if (this.problem) this.settings.log('info', 'listener.notifications_arrive', 'notifications arrive again')
    this.problem = undefined
    if (!this.listening) {
      this.listening = true
      this.saidLost = false
      this.started?.()
      const again = this.sessions++ > 0
      if (again) this.settings.log('info', 'listener.listening_again', 'listening again for notifications')
      this.settings.onSession?.(client, again).catch((error) => this.lost(client, error))
    }
    this.scheduleProbe(client)
  }

  private probeMissed(client: pg.Client): void {
    if (client !== this.client) return
    if (this.listening) {
      // It heard before: this session is dead without knowing it. Start again.
      this.lost(client, new Error(`a probe notification did not come back within ${3 * (this.settings.probeTimeout ?? 5)} s`))
      return
    }
    if (!this.problem) {
      this.problem = `notifications sent to its listening session never arrive: ${directUrlAdvice}`
      this.settings.log('warn', 'listener.notifications_lost', `${this.problem}; polling meanwhile`)
    }
    this.started?.()
    this.scheduleProbe(client)
  }

  private scheduleProbe(client: pg.Client, seconds = this.settings.probeInterval ?? 30): void {
    clearTimeout(this.nextProbe)
    this.nextProbe = setTimeout(() => void this.sendProbe(client), seconds * 1000).unref()
  }
}
