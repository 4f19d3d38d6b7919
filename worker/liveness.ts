// How a worker shows that it lives: its registration (its tasks, schedules and workflows
// announced), its heartbeat (which also brings an operator's request to stop), its rapid beats
// while its liveness lock is lost, and the moment it must consider itself cut off.
import os from 'node:os'
import { packageVersion } from '../lib/db/project-root.ts'
import type { App } from '../lib/queue/app.ts'
import type { Queryable } from '../lib/queue/queryable.ts'
import { announcedArgsSchema } from '../lib/queue/task.ts'
import { message, type LogRecord } from '../lib/observe/log.ts'
import type { WorkerListener } from './listener.ts'
import { announceSchedules, announceWorkflows, heartbeat, registerWorker } from './queries.ts'
import { retryStrategy } from './retry.ts'

/**
 * Seconds a worker may be seen without its liveness lock, not beating since, before the others take
 * its jobs: four of the beats it sends every 0.1 s while it reconnects.
 */
const lockGrace = 0.4

export interface LivenessSetting {
  app: App
  db: Queryable
  name: string
  queues: string[] | null
  concurrency: number
  heartbeatInterval: number
  staleAfter: number
  say(level: LogRecord['level'], event: string, message: string): void
  listener(): WorkerListener | undefined
  stopping(): boolean
  /** An operator asked it to stop (from the console or the CLI). */
  stop(): void
}

export class Liveness {
  id?: number
  /** When a heartbeat last reached the database (performance.now()). */
  lastBeat?: number
  /** When the last heartbeat that reached the database was sent: the database's record of it is no older. */
  lastBeatSentAt = performance.now()
  /** Workers that beat in the last 3 s, at its last beat: it checks for gone ones every 0.2 s times their number. */
  liveWorkers = 1
  /** It stopped its jobs for want of a heartbeat, and has not beaten since. */
  private cutOff = false
  /** Its beats every 0.1 s while its liveness lock is lost. */
  private rapidBeats?: NodeJS.Timeout
  /** A beat found it removed and registers it again. */
  private registering = false

  constructor(private readonly setting: LivenessSetting) {}

  /** Registers the worker (its tasks, schedules and workflows announced); its id. */
  async register(): Promise<number> {
    const { app, db } = this.setting
    const tasks = [...app.tasks.values()].map((task) => {
      const { retryOn, ...strategy } = retryStrategy(task.options.retry) ?? {}
      return {
        name: task.name,
        queue_name: task.options.queue ?? 'default',
        priority: task.options.priority ?? 0,
        lock: task.options.lock ?? null,
        queueing_lock: task.options.queueingLock ?? null,
        retry: task.options.retry ? { ...strategy, ...(retryOn ? { retryOn: 'some errors' } : {}) } : null,
        timeout_seconds: task.options.timeout ?? null,
        args_schema: announcedArgsSchema(task.options),
      }
    })
    // Judged by the lock rule of this release: it beats every 0.1 s while it has lost its lock.
    const id = await registerWorker(db, {
      name: this.setting.name,
      host: os.hostname(),
      pid: process.pid,
      queues: this.setting.queues,
      concurrency: this.setting.concurrency,
      tasks,
      heartbeatInterval: this.setting.heartbeatInterval,
      lockGrace,
      version: packageVersion(),
    })
    if (app.periodicTasks.length) {
      await announceSchedules(
        db,
        app.periodicTasks.map(({ cron, task, periodicId, args }) => ({ task_name: task.name, periodic_id: periodicId, cron, queue_name: task.options.queue ?? 'default', args })),
      )
    }
    if (app.workflows.size) {
      await announceWorkflows(db, [...app.workflows.values()].map((workflow) => ({ name: workflow.name, input_schema: workflow.inputSchema() })))
    }
    this.id = id
    return id
  }

  /** Its heartbeat; registers again when it was removed as gone meanwhile; stops when an operator asked it to. */
  async beat(): Promise<void> {
    const { say, stopping } = this.setting
    const sentAt = performance.now()
    const beat = await heartbeat(this.setting.db, this.id!)
    if (beat.stopRequestedBy !== null && !stopping()) {
      say('info', 'worker.stop_requested', `asked to stop by ${beat.stopRequestedBy}: finishing its running jobs, then stopping`)
      this.setting.stop()
    }
    this.lastBeat = performance.now()
    this.lastBeatSentAt = Math.max(this.lastBeatSentAt, sentAt)
    this.liveWorkers = Math.max(1, beat.workers)
    this.cutOff = false
    if (!beat.registered && !stopping() && !this.registering) {
      say('warn', 'worker.registered_again', `worker ${this.id} was removed as gone by another worker (its heartbeat was late); registering again`)
      this.registering = true
      try {
        await this.register()
        await this.setting.listener()?.holdLockFor(this.id!)
      } finally {
        this.registering = false
      }
    }
  }

  /**
   * Others judge a worker dead once it was seen without its liveness lock for lockGrace and has not
   * beaten since: while its lock is lost (its session dropped; it reconnects), it beats every 0.1 s.
   */
  beatWhileLockLost(): void {
    if (this.rapidBeats) return
    let beating: Promise<void> | undefined
    const beatOnce = () =>
      (beating ??= this.beat()
        .catch((error) => this.setting.say('warn', 'worker.heartbeat_failed', `heartbeat failed: ${message(error)}`))
        .finally(() => (beating = undefined)))
    this.rapidBeats = setInterval(() => {
      if (this.setting.listener()?.lockLost) return void beatOnce()
      this.stopRapidBeats()
    }, 100)
    void beatOnce() // at once too
  }

  stopRapidBeats(): void {
    clearInterval(this.rapidBeats)
    this.rapidBeats = undefined
  }

  /**
   * Seconds without a recorded heartbeat, once they come so near the stale-after time that other
   * workers may soon take its jobs (a margin of two beats, at least a second, at most half the
   * time, for its tasks to stop): said once, until it beats again. Undefined otherwise.
   */
  cutOffFor(): number | undefined {
    const { staleAfter, heartbeatInterval } = this.setting
    const silentFor = (performance.now() - this.lastBeatSentAt) / 1000
    if (silentFor < staleAfter - Math.min(Math.max(2 * heartbeatInterval, 1), staleAfter / 2) || this.cutOff) return undefined
    this.cutOff = true
    return silentFor
  }

  /** Whether its heartbeat reached the database within the last three beats. */
  beatLately(now: number): boolean {
    return this.lastBeat !== undefined && now - this.lastBeat <= 3 * this.setting.heartbeatInterval * 1000
  }
}
