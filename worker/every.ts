/**
 * Runs `action` after `seconds` (a number, or asked anew each time), again and again, never two
 * at once; the function returned stops it and waits for a run under way.
 */
export function every(seconds: number | (() => number), action: () => Promise<void>): () => Promise<void> {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  const next = () => {
    if (stopped) return
    timer = setTimeout(() => {
      running = action().finally(() => {
        running = undefined
        next()
      })
    }, (typeof seconds === 'number' ? seconds : seconds()) * 1000)
  }
  next()
  return async () => {
    stopped = true
    clearTimeout(timer)
    await running
  }
}
