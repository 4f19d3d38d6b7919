// How the console writes durations and times: short, and exact on hover.

/** 340 ms · 4.2 s · 3 min 12 s · 2 h 05 min */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
  return `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`
}

/** A run time counted by class (the Tasks page's percentiles, within 19%): "≈ 1.2 s", or "—" without runs. */
export const formatApproximate = (ms: number | null) => (ms === null ? '—' : `≈ ${formatDuration(ms)}`)

/** "3 min ago", "in 12 s": the time from `now` to `at`. */
export function formatRelative(at: Date, now: Date = new Date()): string {
  const ms = at.getTime() - now.getTime()
  if (Math.abs(ms) < 1000) return 'now'
  return ms < 0 ? `${formatDuration(-ms)} ago` : `in ${formatDuration(ms)}`
}

/** Where the console shows times: the browser's own zone (the default), or UTC. */
export type TimeZoneChoice = 'local' | 'utc'

const formats = new Map<string, Intl.DateTimeFormat>()
function partsOf(at: Date, zone: TimeZoneChoice): Record<string, string> {
  let format = formats.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone === 'utc' ? 'UTC' : undefined,
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      hourCycle: 'h23', timeZoneName: 'short',
    })
    formats.set(zone, format)
  }
  return Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]))
}

/**
 * The console's one way of writing a time: 2026-12-06 17:56:42 GMT+1 (the browser's zone,
 * named) or 2026-12-06 16:56:42 UTC; `ms` adds milliseconds, `date: false` leaves the date out.
 */
export function formatTime(at: Date, zone: TimeZoneChoice, { ms = false, date = true } = {}): string {
  const part = partsOf(at, zone)
  const clock = `${part.hour}:${part.minute}:${part.second}${ms ? `.${String(at.getUTCMilliseconds()).padStart(3, '0')}` : ''}`
  return `${date ? `${part.year}-${part.month}-${part.day} ` : ''}${clock} ${part.timeZoneName}`
}

/** A chart axis's label: 17:05, or 12-06 17:00 with the date. */
export function formatAxisTime(at: Date, zone: TimeZoneChoice, withDate: boolean): string {
  const part = partsOf(at, zone)
  return `${withDate ? `${part.month}-${part.day} ` : ''}${part.hour}:${part.minute}`
}

/** The name of the zone times are shown in, as the console writes it (GMT+1, EST, UTC). */
export const zoneName = (zone: TimeZoneChoice, at = new Date()) => partsOf(at, zone).timeZoneName!

/** The exact time, as a tooltip shows it: in the chosen zone to the millisecond, and in UTC. */
export function exactTime(at: Date, zone: TimeZoneChoice = 'utc'): string {
  const utc = formatTime(at, 'utc', { ms: true })
  const shown = formatTime(at, zone, { ms: true })
  return shown === utc ? utc : `${shown} (${utc})`
}

/** How the server writes a time into a sentence (2026-12-01 17:05:09 UTC), and finds it again. */
export const sentenceTime = (at: Date) => `${at.toISOString().replace('T', ' ').slice(0, 19)} UTC`
export const sentenceTimes = /(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC/g
