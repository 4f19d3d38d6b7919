import { describe, expect, it } from 'vitest'
import { labelledBuckets, roundCeiling } from './chart-axes.ts'

describe('chart axes', () => {
  it('end the value axis on a round number', () => {
    expect([0, 0.4, 1, 3, 7, 12, 20, 47, 230, 999, 1001].map(roundCeiling)).toEqual([1, 1, 1, 5, 10, 20, 20, 50, 500, 1000, 2000])
  })

  it('label round minutes or hours, at most six of them', () => {
    const at = Date.parse('2026-12-06T17:03:00Z')
    // 60 minutes from 17:03: every ten minutes.
    expect(labelledBuckets(at, 60, 'minute').map((i) => new Date(at + i * 60_000).toISOString().slice(11, 16))).toEqual(['17:10', '17:20', '17:30', '17:40', '17:50', '18:00'])
    // 15 minutes: every five.
    expect(labelledBuckets(at, 15, 'minute')).toEqual([2, 7, 12])
    // 24 hours from 05:00: every six hours (UTC hours).
    const day = Date.parse('2026-12-06T05:00:00Z')
    expect(labelledBuckets(day, 24, 'hour').map((i) => new Date(day + i * 3_600_000).toISOString().slice(11, 13))).toEqual(['06', '12', '18', '00'])
    expect(labelledBuckets(day, 169, 'hour').length).toBeLessThanOrEqual(6)
    // Round in the zone shown: an hour ahead of UTC, 05:00 UTC is 06:00 there.
    expect(labelledBuckets(day, 24, 'hour', { offsetMs: 3_600_000 })).toEqual([0, 6, 12, 18])
  })
})
