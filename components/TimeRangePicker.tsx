'use client'
// The time range of a list or of figures, kept in the URL (?range=1h, or ?from=…&to=…): the last
// 15 minutes, hour, day or week, or from one time to another, read in the zone times are shown in.
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useState } from 'react'
import { formatTime } from '../lib/console/time.ts'
import { fromInputValue, rangeLabels, rangeNames, toInputValue, type RangeName, type TimeRange } from '../lib/console/time-range.ts'
import { useTimeZone } from './time-zone.tsx'

export const rangeFields = ['range', 'from', 'to'] as const

/** The range the URL asks for (a time that does not parse is left out: the API says what is wrong with it). */
export function useTimeRange(): TimeRange {
  const params = useSearchParams()
  const range = params.get('range')
  const time = (field: string) => {
    const value = params.get(field)
    return value !== null && !Number.isNaN(Date.parse(value)) ? value : undefined
  }
  return { range: rangeNames.includes(range as RangeName) ? (range as RangeName) : undefined, from: time('from'), to: time('to') }
}

/** Copies the range of `from` (the URL's parameters) into `into`, for a filter form that builds its URL anew. */
export function keepRange(into: URLSearchParams, from: URLSearchParams): URLSearchParams {
  for (const field of rangeFields) if (from.get(field)) into.set(field, from.get(field)!)
  return into
}

/** "in the last hour", "from 2026-12-06 17:00:00 GMT+1 to …", or "" for all time. */
export function useRangeWords(): string {
  const { range, from, to } = useTimeRange()
  const { zone } = useTimeZone()
  const written = (iso: string) => formatTime(new Date(iso), zone)
  if (range) return `in ${rangeLabels[range]}`
  if (from && to) return `from ${written(from)} to ${written(to)}`
  if (from) return `since ${written(from)}`
  if (to) return `before ${written(to)}`
  return ''
}

/** `anyTime: false`: no "any time" choice; `fallback`, the range shown when the URL names none. */
export function TimeRangePicker({ label = 'When', anyTime = true, fallback }: { label?: string; anyTime?: boolean; fallback?: RangeName }) {
  const params = useSearchParams()
  const router = useRouter()
  const pathname = usePathname()
  const { zone } = useTimeZone()
  const { range, from, to } = useTimeRange()
  const [custom, setCustom] = useState(Boolean(from || to))
  const go = (set: Record<string, string>) => {
    const next = new URLSearchParams(params)
    for (const field of [...rangeFields, 'after']) next.delete(field)
    for (const [field, value] of Object.entries(set)) next.set(field, value)
    router.replace(next.size ? `${pathname}?${next}` : pathname)
  }
  return (
    <div className="row time-range" role="group" aria-label="Time range">
      <label>
        {label}
        <select
          aria-label={label}
          value={custom ? 'custom' : (range ?? fallback ?? '')}
          onChange={(event) => {
            const choice = event.target.value
            setCustom(choice === 'custom')
            if (choice !== 'custom') go(choice ? { range: choice } : {})
          }}
        >
          {anyTime && <option value="">any time</option>}
          {rangeNames.map((name) => <option key={name} value={name}>{rangeLabels[name]}</option>)}
          <option value="custom">from… to…</option>
        </select>
      </label>
      {custom && (
        <form
          className="row"
          key={`${from}-${to}-${zone}`}
          onSubmit={(event) => {
            event.preventDefault()
            const form = new FormData(event.currentTarget)
            const chosen = Object.fromEntries(
              (['from', 'to'] as const).flatMap((field) => {
                const iso = fromInputValue(String(form.get(field) ?? ''), zone)
                return iso ? [[field, iso]] : []
              }),
            )
            go(chosen)
          }}
        >
          <label>From<input type="datetime-local" name="from" defaultValue={from ? toInputValue(from, zone) : ''} /></label>
          <label>To<input type="datetime-local" name="to" defaultValue={to ? toInputValue(to, zone) : ''} /></label>
          <span className="muted">{zone === 'utc' ? 'UTC' : 'your time'}</span>
          <button type="submit">Apply</button>
        </form>
      )}
    </div>
  )
}
