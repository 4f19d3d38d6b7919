import { describe, expect, it } from 'vitest'
import { segmentsOf } from './timeline.ts'

describe('a job on the timeline', () => {
  it('waits for its parents, is queued, runs, waits for a retry, runs again and ends', () => {
    const events: Array<[string, number]> = [['deferred', 0], ['started', 130], ['deferred_for_retry', 200], ['started', 1200], ['succeeded', 1300]]
    expect(segmentsOf(events, { readyAt: 100, scheduledAt: null, now: 5000 })).toEqual({
      start: 0,
      end: 1300,
      attempts: 2,
      segments: [['parents', 0, 100], ['queued', 100, 130], ['running', 130, 200], ['retry', 200, 1200], ['running', 1200, 1300]],
    })
  })

  it('waits for its scheduled time on its first round (not for parents, without any), and is still waiting now while a parent runs', () => {
    expect(segmentsOf([['deferred', 0], ['started', 600], ['succeeded', 700]], { readyAt: -Infinity, scheduledAt: 500, now: 900 }).segments).toEqual([
      ['scheduled', 0, 500], ['queued', 500, 600], ['running', 600, 700],
    ])
    // Its parents ended at 200, its time came at 500: each span named for what it waited for.
    expect(segmentsOf([['deferred', 0], ['started', 600]], { readyAt: 200, scheduledAt: 500, now: 900 }).segments).toEqual([
      ['parents', 0, 200], ['scheduled', 200, 500], ['queued', 500, 600], ['running', 600, 900],
    ])
    // Scheduled an hour ahead, no parents: it has waited for its time so far, nothing else.
    expect(segmentsOf([['deferred', 0]], { readyAt: -Infinity, scheduledAt: 3_600_000, now: 449_000 }).segments).toEqual([['scheduled', 0, 449_000]])
    expect(segmentsOf([['deferred', 10]], { readyAt: null, scheduledAt: null, now: 900 })).toEqual({ start: 10, end: null, attempts: 0, segments: [['parents', 10, 900]] })
  })

  it('runs again after an operator\'s retry, and is running now', () => {
    const events: Array<[string, number]> = [['deferred', 0], ['started', 5], ['failed', 50], ['retried', 400], ['started', 450]]
    expect(segmentsOf(events, { readyAt: -Infinity, scheduledAt: null, now: 500 })).toEqual({
      start: 0,
      end: null,
      attempts: 2,
      segments: [['queued', 0, 5], ['running', 5, 50], ['queued', 400, 450], ['running', 450, 500]],
    })
  })
})
