'use client'
// A time as the console writes every time (lib/console/time.ts): in the zone the user chose,
// the zone named, exact on hover. TimesIn does the same for the times inside a server's sentence.
import { Fragment } from 'react'
import { exactTime, formatTime, sentenceTimes } from '../lib/console/time.ts'
import { useTimeZone } from './time-zone.tsx'

export function Time({ at, ms = false, date = true }: { at: string | Date; ms?: boolean; date?: boolean }) {
  const { zone } = useTimeZone()
  const time = new Date(at)
  return (
    <time dateTime={time.toISOString()} title={exactTime(time, zone)}>
      {formatTime(time, zone, { ms, date })}
    </time>
  )
}

export function TimesIn({ text }: { text: string }) {
  const pieces = text.split(sentenceTimes)
  // split keeps each match's group: odd pieces are times written in UTC.
  return pieces.map((piece, index) => (index % 2 ? <Time key={index} at={`${piece.replace(' ', 'T')}Z`} /> : <Fragment key={index}>{piece}</Fragment>))
}
