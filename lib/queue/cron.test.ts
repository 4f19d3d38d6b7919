import { describe, expect, it } from 'vitest'
import { nextTick, parseCron } from './cron.ts'

const at = (iso: string) => new Date(iso)

describe('cron schedules', () => {
  it('ticks on matching minutes, at second 0', () => {
    const every5 = parseCron('*/5 * * * *')
    expect(every5.resolution).toBe(60)
    expect(every5.matches(at('2026-11-28T10:05:00Z'))).toBe(true)
    expect(every5.matches(at('2026-11-28T10:05:01Z'))).toBe(false)
    expect(every5.matches(at('2026-11-28T10:06:00Z'))).toBe(false)
  })

  it('reads ranges, lists, steps and a seconds field last', () => {
    const schedule = parseCron('0,30 9-17 * * 1-5 */15')
    expect(schedule.resolution).toBe(1)
    expect(schedule.matches(at('2026-11-30T09:30:45Z'))).toBe(true) // a Monday
    expect(schedule.matches(at('2026-11-29T09:30:45Z'))).toBe(false) // a Sunday
    expect(schedule.matches(at('2026-11-30T18:00:00Z'))).toBe(false)
    expect(schedule.matches(at('2026-11-30T09:30:10Z'))).toBe(false)
  })

  it('ticks on either restricted day field, and takes 7 for Sunday', () => {
    const schedule = parseCron('0 0 1 * 7')
    expect(schedule.matches(at('2026-12-01T00:00:00Z'))).toBe(true) // the 1st, a Tuesday
    expect(schedule.matches(at('2026-11-29T00:00:00Z'))).toBe(true) // a Sunday
    expect(schedule.matches(at('2026-11-30T00:00:00Z'))).toBe(false)
  })

  it('refuses what is not a schedule', () => {
    for (const bad of ['* * * *', '60 * * * *', '*/0 * * * *', 'a * * * *', '5-1 * * * *', '* * * * * * *']) {
      expect(() => parseCron(bad), bad).toThrow()
    }
  })

  it('says when it ticks next', () => {
    expect(nextTick(parseCron('0 3 * * *'), at('2026-12-06T17:56:42Z'))).toEqual(at('2026-12-07T03:00:00Z'))
    expect(nextTick(parseCron('0 3 * * *'), at('2026-12-07T03:00:00Z'))).toEqual(at('2026-12-08T03:00:00Z'))
    expect(nextTick(parseCron('* * * * * 0,30'), at('2026-12-06T17:56:42Z'))).toEqual(at('2026-12-06T17:57:00Z'))
    expect(nextTick(parseCron('0 0 29 2 *'), at('2026-12-06T00:00:00Z'), 400)).toBeNull() // next in 2028
    expect(nextTick(parseCron('0 0 29 2 *'), at('2026-12-06T00:00:00Z'), 1200)).toEqual(at('2028-02-29T00:00:00Z'))
    // With seconds, the search goes by the minute, looking at seconds only in a minute that ticks
    // (a schedule that never ticks would otherwise cost 34 million looks a year).
    let secondsLooked = 0
    const counted = (expression: string) => {
      const schedule = parseCron(expression)
      return { ...schedule, matches: (date: Date) => (secondsLooked++, schedule.matches(date)) }
    }
    expect(nextTick(counted('0 0 30 2 * 15'), at('2026-12-06T00:00:00Z'))).toBeNull()
    expect(secondsLooked).toBe(0)
    expect(nextTick(counted('0 0 1 1 * 15,45'), at('2026-12-06T17:00:00Z'))).toEqual(at('2027-01-01T00:00:15Z'))
    expect(secondsLooked).toBe(16)
  })
})
