// The app the process tests run in real worker processes.
import { createApp } from '../../lib/queue/index.ts'

export const app = createApp()

app.task<{ ms?: number }>('node', { retry: { maxAttempts: 5 } }, async ({ ms = 0 }, { signal }) => {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })
  return { ms }
})
