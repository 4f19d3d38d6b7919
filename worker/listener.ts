// The worker's LISTEN session on Procrastinate's channels (reconnecting after a loss, such as a
// PostgreSQL restart; the worker polls meanwhile, so nothing waits longer than the polling
// interval). The same session holds the worker's liveness lock (see the worker_liveness
// migration): when the process dies, the server ends the session, and other workers see the lock
// gone at once. It takes the lock only once a probe proved the session is the server's own: a
// lock taken through a pooler in transaction mode would stay on a shared backend.
import type pg from 'pg'
import { Listener } from '../lib/db/listener.ts'
import { ManaError, queueNameTooLong } from '../lib/queue/errors.ts'

export interface ListenerEvents {
  /** A job was inserted, or a child became ready. */
  onJobReady(): void
  onAbortRequested(jobId: number): void
  /** Listening again after a loss: what was announced meanwhile was missed. */
  onReconnected(): void
  /** Its session, and the liveness lock it held, are gone: beat now, and often until it is back. */
  onLockLost(): void
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

/** The worker's listening session (lib/db/listener.ts), which also holds its liveness lock. */
export class WorkerListener {
  private readonly listener: Listener
  private lockRetry?: NodeJS.Timeout
  private holdsLock = false
  /** It held its liveness lock and has lost it (its session ended): it proves it lives by beating until it holds it again. */
  lockLost = false

  constructor(
    connection: pg.ClientConfig,
    channels: string[],
    private readonly events: ListenerEvents,
    notify: (channel: string, payload: string) => Promise<void>,
    log: (level: 'info' | 'warn', event: string, message: string) => void,
    /** The worker whose liveness lock this session holds. */
    private workerId: number,
  ) {
    this.listener = new Listener({
      connection,
      channels,
      notify,
      log,
      onNotification: (_channel, payload) => this.dispatch(payload),
      onSession: async (session, again) => {
        await this.holdLock(session)
        if (again) this.events.onReconnected()
      },
      onSessionLost: () => {
        if (!this.holdsLock) return
        this.holdsLock = false
        this.lockLost = true
        this.events.onLockLost()
      },
    })
  }

  /** Listening, and proved to hear. */
  get listening(): boolean {
    return this.listener.listening
  }

  /** Why notifications do not arrive, if they do not. */
  get problem(): string | undefined {
    return this.listener.problem
  }

  start(): Promise<void> {
    return this.listener.start()
  }

  async close(): Promise<void> {
    clearTimeout(this.lockRetry)
    await this.listener.close()
  }

  /** The worker registered again under a new id: the session holds that id's lock instead. */
  async holdLockFor(workerId: number): Promise<void> {
    this.workerId = workerId
    const session = this.listener.session
    if (!session) return // the next session takes it
    await session.query('SELECT pg_advisory_unlock_all()').catch(() => {})
    await this.holdLock(session)
  }

  /**
   * Takes the liveness lock. An earlier session of this worker may hold it still (the server
   * has not yet seen that connection drop): then it tries again each second.
   */
  private async holdLock(session: pg.Client): Promise<void> {
    clearTimeout(this.lockRetry)
    // It may hold the lock from the moment it asks: a session that ends before the answer comes
    // may have taken it (and the server written so), and others judge it by that lock's loss.
    this.holdsLock = true
    const [row] = (await session.query<{ held: boolean }>('SELECT manana_hold_worker_lock($1) AS held', [this.workerId])).rows
    if (session !== this.listener.session) return
    if (row!.held) {
      this.lockLost = false
      return
    }
    this.holdsLock = false
    this.lockRetry = setTimeout(() => this.holdLock(session).catch(() => {}), 1000).unref()
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
