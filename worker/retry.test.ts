import { describe, expect, it } from 'vitest'
import { retryDelay } from './retry.ts'

const error = new Error('boom')

describe('retry arithmetic (as Procrastinate computes it)', () => {
  it('does not retry without a strategy', () => {
    expect(retryDelay(undefined, error, 0)).toBeNull()
    expect(retryDelay(false, error, 0)).toBeNull()
    expect(retryDelay(0, error, 0)).toBeNull()
  })

  it('retries at once, forever, with true', () => {
    expect(retryDelay(true, error, 0)).toBe(0)
    expect(retryDelay(true, error, 1000)).toBe(0)
  })

  it('retries a number of times, then fails', () => {
    expect([0, 1, 2, 3].map((attempts) => retryDelay(3, error, attempts))).toEqual([0, 0, 0, null])
  })

  it('waits fixed, linear and exponential delays, and their sum', () => {
    expect([0, 1, 2].map((n) => retryDelay({ wait: 3 }, error, n))).toEqual([3, 3, 3])
    expect([0, 1, 2, 3].map((n) => retryDelay({ linearWait: 3 }, error, n))).toEqual([0, 3, 6, 9])
    expect([0, 1, 2, 3].map((n) => retryDelay({ exponentialWait: 3 }, error, n))).toEqual([3, 9, 27, 81])
    expect(retryDelay({ wait: 1, linearWait: 2, exponentialWait: 2, maxAttempts: 5 }, error, 2)).toBe(1 + 4 + 8)
    expect(retryDelay({ wait: 1, maxAttempts: 5 }, error, 5)).toBeNull()
  })

  it('retries only the errors retryOn accepts', () => {
    const strategy = { retryOn: (e: unknown) => e instanceof TypeError }
    expect(retryDelay(strategy, new TypeError('x'), 0)).toBe(0)
    expect(retryDelay(strategy, new Error('x'), 0)).toBeNull()
  })
})
