import type { RetryStrategy, TaskOptions } from '../lib/queue/task.ts'

/** The task's retry option as a strategy, or null when it never retries. */
export function retryStrategy(retry: TaskOptions['retry']): RetryStrategy | null {
  if (!retry) return null
  if (retry === true) return {}
  if (typeof retry === 'number') return { maxAttempts: retry }
  return retry
}

/**
 * Seconds to wait before running a failed job again, or null to fail it: Procrastinate's
 * arithmetic, wait + linearWait × attempts + exponentialWait ^ (attempts + 1), where
 * `attempts` counts the attempts before the one that just failed (0 on the first run).
 */
export function retryDelay(retry: TaskOptions['retry'], error: unknown, attempts: number): number | null {
  const strategy = retryStrategy(retry)
  if (!strategy) return null
  const { maxAttempts, wait = 0, linearWait = 0, exponentialWait = 0, retryOn } = strategy
  if (maxAttempts !== undefined && attempts >= maxAttempts) return null
  if (retryOn && !retryOn(error)) return null
  return wait + linearWait * attempts + (exponentialWait ? exponentialWait ** (attempts + 1) : 0)
}
