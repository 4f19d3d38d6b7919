import { describe, expect, it } from 'vitest'
import { formatDuration, formatRelative } from './time.ts'

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
