// Live updates: one LISTEN connection per console server. A notification means "events were
// written" (or a job's log lines: then no new event is found, and every page reads again); the
// new events are read in one query, a burst coalesced into one message, and each browser
// connected to /api/events gets it.
import { directUrlFromEnv } from '../db/database.ts'
import { Listener } from '../db/listener.ts'
import { consoleContext } from './context.ts'
import { logListener } from './log.ts'

export interface Change {
  /** Jobs whose status changed; empty with `refresh` when too much changed to list. */
  jobIds: number[]
  workflowIds: number[]
  refresh: boolean
}

type Subscriber = (change: Change) => void

class LiveHub {
  private readonly subscribers = new Set<Subscriber>()
  private listener?: Listener
  /** Opening the listener: once, however many pages subscribe meanwhile (again after a failure). */
  private opening?: Promise<void>
  private lastEventId = 0
  private pending?: NodeJS.Timeout

  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber)
    this.opening ??= this.listen().catch((error: Error) => {
      // Said, and tried again by the next page that subscribes; the pages poll meanwhile.
      logListener('warn', 'console.listener.not_started', `live updates: could not start listening (${error.message}); the pages poll`)
      this.opening = undefined
    })
    return () => this.subscribers.delete(subscriber)
  }

  /** Why live updates do not arrive (the pages poll meanwhile), if they do not. */
  get problem(): string | undefined {
    return this.listener?.problem
  }

  /** Whether changes are heard as they happen: listening, and notifications arrive. */
  get hearing(): boolean {
    return this.listener?.listening === true && this.listener.problem === undefined
  }

  private async listen(): Promise<void> {
    const context = await consoleContext()
    this.listener = new Listener({
      connection: { connectionString: directUrlFromEnv() ?? context.url, application_name: 'manana-console' },
      channels: ['manana_console'],
      notify: async (channel, payload) => void (await context.db.query('SELECT pg_notify($1, $2)', [channel, payload])),
      onNotification: () => this.schedule(),
      onSession: async (session) => {
        const [{ max }] = (await session.query('SELECT coalesce(max(id), 0)::bigint AS max FROM procrastinate_events')).rows
        this.lastEventId ||= Number(max)
        // Whatever happened while we were not listening (on the first session, since the pages
        // read their data: the events up to `max` were never sent): every page reads again.
        this.broadcast({ jobIds: [], workflowIds: [], refresh: true })
      },
      log: (level, event, message) => logListener(level, `console.${event}`, `live updates: ${message}`),
    })
    await this.listener.start()
  }

  /** Coalesces a burst of notifications into one read, at most every 200 ms. */
  private schedule(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined
      void this.publish()
    }, 200)
  }

  private async publish(): Promise<void> {
    const { db } = await consoleContext()
    const limit = 2000
    const rows = await db
      .query<{ id: string; job_id: string; workflow_id: string | null }>(
        `SELECT event.id, event.job_id, job.workflow_id FROM procrastinate_events AS event
         LEFT JOIN procrastinate_jobs AS job ON job.id = event.job_id
         WHERE event.id > $1 ORDER BY event.id LIMIT $2`,
        [this.lastEventId, limit],
      )
      .catch(() => undefined)
    if (!rows) return
    // Nothing after the last event read, though events were written: they have lower ids and
    // committed late (ids are taken before commit): every page reads again.
    if (!rows.length) return this.broadcast({ jobIds: [], workflowIds: [], refresh: true })
    this.lastEventId = Number(rows.at(-1)!.id)
    const change: Change = {
      jobIds: [...new Set(rows.map((row) => Number(row.job_id)))],
      workflowIds: [...new Set(rows.flatMap((row) => (row.workflow_id === null ? [] : [Number(row.workflow_id)])))],
      refresh: rows.length === limit,
    }
    if (change.refresh) this.schedule() // more to read
    this.broadcast(change)
  }

  private broadcast(change: Change): void {
    for (const subscriber of this.subscribers) subscriber(change)
  }
}

const shared = globalThis as { mananaLive?: LiveHub }
export const liveHub = (shared.mananaLive ??= new LiveHub())
