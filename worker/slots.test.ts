import { describe, expect, it } from 'vitest'
import type { Job } from '../lib/queue/job.ts'
import { Slots } from './slots.ts'

const job = (id: number, priority = 0) => ({ id, priority, task: 't' }) as Job
const running = (slots: Slots, ...ids: number[]) => {
  for (const id of ids) slots.running.set(id, { job: job(id), controller: new AbortController() })
}

describe('a worker\'s slots', () => {
  it('claim for the free slots only until tasks and fetches are timed, then ahead as far as one fetch lets the slots start', () => {
    const slots = new Slots(4, 1000)
    expect(slots.wanted()).toBe(4)
    expect(slots.startable(4)).toBe(4)
    slots.timing.ran(1) // tasks of 1 ms
    slots.timing.fetched(5) // fetches of 5 ms: four slots start 20 jobs meanwhile
    expect(slots.aheadTarget()).toBe(20)
    expect(slots.wanted()).toBe(24)
    expect(slots.startable(24)).toBe(4)
    expect(new Slots(4, 3).aheadTarget()).toBe(0) // untimed
    const capped = new Slots(4, 3)
    capped.timing.ran(1)
    capped.timing.fetched(5)
    expect(capped.aheadTarget()).toBe(3) // claimAhead caps it
  })

  it('count what claims on the wire asked for, so two claims never ask for the same slots', () => {
    const slots = new Slots(4, 0)
    running(slots, 1)
    const first = { wanted: slots.wanted(), startNow: slots.startable(slots.wanted()) }
    expect(first).toEqual({ wanted: 3, startNow: 3 })
    slots.ask(first)
    expect(slots.wanted()).toBe(0)
    expect(slots.startable(1)).toBe(0)
    // A call recording an end claims at least for the slot the end frees (once the task is gone from running).
    slots.running.delete(1)
    expect(slots.reserveForEnds()).toEqual({ wanted: 1, startNow: 1 })
    slots.settle(first)
    expect(slots.wanted()).toBe(4)
  })

  it('start claimed jobs by priority, then id, while slots are free, and give back the ones that waited', () => {
    const slots = new Slots(2, 10)
    slots.add([job(5), job(3)], 100)
    slots.add([job(4, 2), job(1)], 200)
    expect(slots.queued.map((item) => item.job.id)).toEqual([4, 1, 3, 5])
    const first = slots.next()!
    running(slots, first.id)
    expect(first.id).toBe(4)
    running(slots, slots.next()!.id)
    expect(slots.next()).toBeUndefined() // both slots busy
    expect(slots.held()).toEqual([4, 1, 3, 5])
    expect(slots.takeWaitedSince(150).map((each) => each.id)).toEqual([3, 5])
    expect(slots.take(3)).toBeUndefined()
    expect(slots.empty).toBe(false)
    slots.running.clear()
    expect(slots.empty).toBe(true)
  })
})
