// Periodic tasks: each tick since the last check (a minute at most) is deferred once, whoever
// is first (upstream's procrastinate_defer_periodic_job_v2, which also obeys a paused schedule).
// Ticks before this worker started are not made up for.
import type { PeriodicTask } from '../lib/queue/app.ts'
import { parseCron, type CronSchedule } from '../lib/queue/cron.ts'
import type { Queryable } from '../lib/queue/queryable.ts'
import { errorRecord, message, type LogRecord } from '../lib/observe/log.ts'
import { deferPeriodicTick } from './queries.ts'

type Say = (level: LogRecord['level'], event: string, message: string, facts?: Partial<LogRecord>) => void

export class PeriodicTicks {
  private readonly lastTicks = new Map<PeriodicTask, number>()
  private readonly schedules: Map<PeriodicTask, CronSchedule>

  constructor(
    private readonly periodicTasks: PeriodicTask[],
    private readonly db: Queryable,
    private readonly say: Say,
  ) {
    this.schedules = new Map(periodicTasks.map((periodic) => [periodic, parseCron(periodic.cron)]))
  }

  /** Defers the ticks due since the last call (never throws: a failure is said, the tick not tried again). */
  async deferDue(): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    for (const periodic of this.periodicTasks) {
      const schedule = this.schedules.get(periodic)!
      const step = schedule.resolution
      const last = Math.max(this.lastTicks.get(periodic) ?? now - 1, now - 60)
      for (let tick = last - (last % step) + step; tick <= now; tick += step) {
        this.lastTicks.set(periodic, tick)
        if (schedule.matches(new Date(tick * 1000))) await this.defer(periodic, tick)
      }
    }
  }

  private async defer({ task, periodicId, args }: PeriodicTask, tick: number): Promise<void> {
    const at = new Date(tick * 1000).toISOString()
    try {
      const id = await deferPeriodicTick(this.db, {
        queue: task.options.queue ?? 'default',
        lock: task.options.lock ?? null,
        queueingLock: task.options.queueingLock ?? null,
        task: task.name,
        priority: task.options.priority ?? 0,
        periodicId,
        at: tick,
        args: { ...args, timestamp: tick },
      })
      if (id !== null) this.say('info', 'periodic.deferred', `periodic ${task.name}: job ${id} deferred for ${at}`, { job: id, task: task.name })
    } catch (error) {
      this.say('error', 'periodic.defer_failed', `periodic ${task.name}: could not defer the tick of ${at}: ${message(error)}`, { task: task.name, error: errorRecord(error) })
    }
  }
}
