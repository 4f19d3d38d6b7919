// Cron schedules as Procrastinate reads them: five fields (minute hour day-of-month month
// day-of-week), or six with seconds last. Each field: *, a number, a range a-b, a step */n or
// a-b/n, or a comma-separated list of those. Day of week 0–7, 0 and 7 both Sunday.

export interface CronSchedule {
  /** Whether the schedule ticks at this second (UTC). */
  matches(date: Date): boolean
  /** Whether it ticks at some second of this minute (UTC). */
  matchesMinute(date: Date): boolean
  /** Seconds between candidate ticks: 1 with a seconds field, 60 without. */
  resolution: 1 | 60
}

const fieldRanges: Array<[min: number, max: number]> = [
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 7], // day of week
  [0, 59], // second
]

export class CronError extends Error {}

function parseField(text: string, [min, max]: [number, number]): Set<number> {
  const values = new Set<number>()
  for (const part of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part)
    if (!match) throw new CronError(`"${part}" is not a cron field`)
    const [, , start, end, step] = match
    const from = start === undefined ? min : Number(start)
    const to = start === undefined ? max : end === undefined ? (step ? max : from) : Number(end)
    const by = step === undefined ? 1 : Number(step)
    if (from < min || to > max || from > to || by < 1) throw new CronError(`"${part}" is out of range ${min}-${max}`)
    for (let value = from; value <= to; value += by) values.add(value)
  }
  return values
}

export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5 && fields.length !== 6) {
    throw new CronError(`"${expression}" has ${fields.length} fields; a cron schedule has 5, or 6 with seconds last`)
  }
  const [minutes, hours, days, months, weekdays, seconds] = fields.map((field, i) => parseField(field, fieldRanges[i]!))
  if (weekdays!.has(7)) weekdays!.add(0)
  // As in cron, when both day fields are restricted a day matching either one ticks.
  const anyDay = fields[2] === '*' || fields[4] === '*'
  const matchesMinute = (date: Date) => {
    const dayOfMonth = days!.has(date.getUTCDate())
    const dayOfWeek = weekdays!.has(date.getUTCDay())
    return (
      minutes!.has(date.getUTCMinutes()) &&
      hours!.has(date.getUTCHours()) &&
      months!.has(date.getUTCMonth() + 1) &&
      (anyDay ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek)
    )
  }
  return {
    resolution: seconds ? 1 : 60,
    matchesMinute,
    matches: (date) => (seconds ? seconds.has(date.getUTCSeconds()) : date.getUTCSeconds() === 0) && matchesMinute(date),
  }
}

/**
 * The schedule's first tick after `after` (not at it), looked for within `withinDays`; null when
 * none comes that soon (a schedule for the 31st of February).
 */
export function nextTick(schedule: CronSchedule, after: Date, withinDays = 400): Date | null {
  const last = after.getTime() + withinDays * 86_400_000
  // Minute by minute (a year is half a million of them), then second by second within a minute that ticks.
  for (let minute = Math.floor(after.getTime() / 60_000) * 60_000; minute <= last; minute += 60_000) {
    if (!schedule.matchesMinute(new Date(minute))) continue
    for (let at = minute; at < minute + 60_000; at += schedule.resolution * 1000) {
      if (at > after.getTime() && schedule.matches(new Date(at))) return new Date(at)
    }
  }
  return null
}
