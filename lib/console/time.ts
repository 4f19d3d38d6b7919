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

/** "3 min ago", "in 12 s": the time from `now` to `at`. */
export function formatRelative(at: Date, now: Date = new Date()): string {
  const ms = at.getTime() - now.getTime()
  if (Math.abs(ms) < 1000) return 'now'
  return ms < 0 ? `${formatDuration(-ms)} ago` : `in ${formatDuration(ms)}`
}

/** The exact time, as a tooltip shows it: 2026-12-01 17:05:09.123 UTC. */
export const exactTime = (at: Date) => `${at.toISOString().replace('T', ' ').slice(0, 23)} UTC`
