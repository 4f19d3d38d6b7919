import { describe, expect, it } from 'vitest'
import { criticalPath, type PathJob } from './critical-path.ts'

/** Jobs from [id, parents, start, end] (end null: unfinished), waiting when a parent is unfinished. */
function jobs(...rows: Array<[number, number[], number, number | null]>): PathJob[] {
  const ends = new Map(rows.map(([id, , , end]) => [id, end]))
  return rows.map(([id, parents, start, end]) => ({ id, parents, start, end, waiting: end === null && parents.some((p) => ends.get(p) === null) }))
}

describe('the critical path', () => {
  it('of a chain is every job, each sharing the time from its parent\'s end to its own', () => {
    const path = criticalPath(jobs([1, [], 0, 100], [2, [1], 0, 250], [3, [2], 0, 300]), 1000)
    expect(path).toEqual([{ id: 1, share: 100 }, { id: 2, share: 150 }, { id: 3, share: 50 }])
  })

  it('of a diamond goes through the branch that ended last; the shares add up to the duration', () => {
    //   1 → 2 (slow) → 4
    //   1 → 3 (quick) ↗
    const path = criticalPath(jobs([1, [], 0, 10], [2, [1], 0, 500], [3, [1], 0, 40], [4, [2, 3], 0, 520]), 1000)
    expect(path.map((step) => step.id)).toEqual([1, 2, 4])
    expect(path.reduce((sum, step) => sum + step.share, 0)).toBe(520)
  })

  it('of a fan-in is decided by its slowest parent, and a parent that ended before the child was deferred holds nothing up', () => {
    const fanIn = jobs([1, [], 0, 30], [2, [], 0, 90], [3, [], 0, 60], [4, [1, 2, 3], 0, 100])
    expect(criticalPath(fanIn, 1000)).toEqual([{ id: 2, share: 90 }, { id: 4, share: 10 }])
    // Job 6 was deferred onto 5 long after 5 ended: it starts the path itself.
    expect(criticalPath(jobs([5, [], 0, 20], [6, [5], 50, 80]), 1000)).toEqual([{ id: 6, share: 30 }])
  })

  it('of a running workflow leads to what runs now, not to a job still waiting on it', () => {
    const running = jobs([1, [], 0, 100], [2, [1], 0, null], [3, [2], 0, null], [4, [], 0, 40])
    expect(criticalPath(running, 400)).toEqual([{ id: 1, share: 100 }, { id: 2, share: 300 }])
  })

  it('is empty when nothing has run yet', () => {
    expect(criticalPath(jobs([1, [2], 0, null], [2, [3], 0, null], [3, [1], 0, null]), 10)).toEqual([])
  })
})
