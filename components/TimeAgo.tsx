'use client'
// A time as "3 min ago" (or, with `since`, "3 min"), exact on hover, kept fresh every second.
import { exactTime, formatDuration, formatRelative } from '../lib/console/time.ts'
import { useNow } from './clock.ts'
import { useTimeZone } from './time-zone.tsx'

export function TimeAgo({ at, since = false }: { at: string; since?: boolean }) {
  const { zone } = useTimeZone()
  const now = useNow()
  const time = new Date(at)
  return (
    <time dateTime={at} title={exactTime(time, zone)}>
      {since ? formatDuration(now - time.getTime()) : formatRelative(time, new Date(now))}
    </time>
  )
}
