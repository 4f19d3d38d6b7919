'use client'
// A time as "3 min ago" (or, with `since`, "3 min"), exact on hover, kept fresh every second.
import { useEffect, useState } from 'react'
import { exactTime, formatDuration, formatRelative } from '../lib/console/time.ts'

export function TimeAgo({ at, since = false }: { at: string; since?: boolean }) {
  const [now, setNow] = useState(() => new Date())
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000)
    return () => clearInterval(timer)
  }, [])
  const time = new Date(at)
  return (
    <time dateTime={at} title={exactTime(time)}>
      {since ? formatDuration(now.getTime() - time.getTime()) : formatRelative(time, now)}
    </time>
  )
}
