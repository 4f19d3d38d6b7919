// The time ranges the console's lists and figures can be asked for: the last 15 minutes, hour,
// day or week, or from one time to another (in the URL as ?range=1h, or ?from=…&to=…).
export const rangeNames = ['15m', '1h', '24h', '7d'] as const
export type RangeName = (typeof rangeNames)[number]

const rangeMs: Record<RangeName, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 }
export const rangeLabels: Record<RangeName, string> = { '15m': 'the last 15 min', '1h': 'the last hour', '24h': 'the last 24 h', '7d': 'the last 7 days' }

export interface TimeRange {
  range?: RangeName | undefined
  /** ISO 8601 times, either or both; `to` is left out of the range. */
  from?: string | undefined
  to?: string | undefined
}

/** What is wrong with a range as asked, or null. */
export function rangeProblem({ range, from, to }: TimeRange): string | null {
  if (range && (from || to)) return 'give range, or from and to, not both'
  if (from && to && Date.parse(from) >= Date.parse(to)) return 'from must be before to'
  return null
}

/** The range as times: from (included) and before (left out); an open end is undefined. */
export function rangeBounds({ range, from, to }: TimeRange, now = Date.now()): { from?: Date; before?: Date } {
  if (range) return { from: new Date(now - rangeMs[range]) }
  return { ...(from ? { from: new Date(from) } : {}), ...(to ? { before: new Date(to) } : {}) }
}

/** The range's query string parameters, for the API and the page's URL. */
export function rangeParams({ range, from, to }: TimeRange): Record<string, string> {
  if (range) return { range }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) }
}

/** What a range of jobs is of: their deferral, or an attempt's end. */
export const jobRangeKinds = ['deferred', 'ended'] as const
export type JobRangeKind = (typeof jobRangeKinds)[number]

/** A jobs filter's bounds (lib/queue/job-manager.ts's JobFilter) for a range's times (rangeBounds). */
export function jobsWithin({ from, before }: { from?: Date; before?: Date }, of: JobRangeKind = 'deferred') {
  return of === 'deferred' ? { deferredFrom: from, deferredBefore: before } : { endedFrom: from, endedBefore: before }
}

/** A range's time as a datetime-local input shows it, in the zone the console shows times in. */
export function toInputValue(iso: string, zone: 'local' | 'utc'): string {
  const at = new Date(iso)
  if (zone === 'utc') return at.toISOString().slice(0, 16)
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000)
  return local.toISOString().slice(0, 16)
}

/** A datetime-local input's value (2026-12-06T17:00) as an ISO time, read in that zone; null when empty or not a time. */
export function fromInputValue(value: string, zone: 'local' | 'utc'): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null
  const at = new Date(zone === 'utc' ? `${value}Z` : value)
  return Number.isNaN(at.getTime()) ? null : at.toISOString()
}
