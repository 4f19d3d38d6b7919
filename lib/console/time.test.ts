import { describe, expect, it } from 'vitest'
import { exactTime, formatDuration, formatRelative, formatTime, sentenceTime, sentenceTimes } from './time.ts'

describe('durations and times', () => {
  it('are short at every scale', () => {
    expect([0.4, 340, 4210, 42_400, 192_000, 7_500_000, 200_000_000].map(formatDuration)).toEqual([
      '0 ms', '340 ms', '4.2 s', '42 s', '3 min 12 s', '2 h 05 min', '2 d 7 h',
    ])
    expect(formatDuration(-1)).toBe('—')
  })

  it('say how long ago, or how soon', () => {
    const now = new Date('2026-12-01T12:00:00Z')
    expect(formatRelative(new Date('2026-12-01T11:57:00Z'), now)).toBe('3 min 00 s ago')
    expect(formatRelative(new Date('2026-12-01T12:00:12Z'), now)).toBe('in 12 s')
    expect(formatRelative(now, now)).toBe('now')
  })
})

describe('one way of writing a time', () => {
  const at = new Date('2026-12-06T16:56:42.963Z')

  it('names its zone: UTC, or the browser’s own', () => {
    expect(formatTime(at, 'utc')).toBe('2026-12-06 16:56:42 UTC')
    expect(formatTime(at, 'utc', { ms: true, date: false })).toBe('16:56:42.963 UTC')
    const local = formatTime(at, 'local')
    expect(local).toMatch(/^2026-12-0[67] \d{2}:56:42 \S+$/)
    expect(local.endsWith(' UTC') || /GMT|[A-Z]{3}/.test(local.split(' ')[2]!)).toBe(true)
  })

  it('is exact on hover, in UTC as well when shown in another zone', () => {
    expect(exactTime(at, 'utc')).toBe('2026-12-06 16:56:42.963 UTC')
    expect(exactTime(at, 'local')).toContain('2026-12-06 16:56:42.963 UTC')
  })

  it('is found again in the sentences the server writes', () => {
    const sentence = `Scheduled for ${sentenceTime(at)}.`
    expect(sentence).toBe('Scheduled for 2026-12-06 16:56:42 UTC.')
    expect([...sentence.matchAll(sentenceTimes)].map((match) => match[1])).toEqual(['2026-12-06 16:56:42'])
  })
})
