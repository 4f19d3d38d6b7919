// Failures that pass by themselves (a lost connection, a restart, a serialization failure), and
// how to ride them out where a process must not give up: a worker's start, a batch of ends.
import { isManaError } from '../queue/errors.ts'

/** Whether an error may pass by itself: a lost connection, a serialization failure, a restart. */
export function isTransient(error: unknown): boolean {
  if (isManaError(error)) return false
  const code = (error as { code?: unknown })?.code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return ['08', '40', '53', '57'].includes(code.slice(0, 2))
  return true // a socket error (ECONNRESET…) or pg's "Connection terminated": no SQLSTATE
}

/**
 * Runs `action` again after transient failures (said through `log`), with a growing wait, for up
 * to `seconds`; any other failure, or one that outlasts them, is thrown.
 */
export async function retryTransient<T>(action: () => Promise<T>, log: (failure: unknown) => void, seconds = 30): Promise<T> {
  const deadline = performance.now() + seconds * 1000
  for (let delay = 0.1; ; delay = Math.min(delay * 2, 2)) {
    try {
      return await action()
    } catch (failure) {
      if (!isTransient(failure) || performance.now() + delay * 1000 > deadline) throw failure
      log(failure)
      await new Promise((resolve) => setTimeout(resolve, delay * 1000))
    }
  }
}
