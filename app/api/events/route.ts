import { handler } from '../../../lib/api/http.ts'
import { liveHub } from '../../../lib/console/live.ts'

export const dynamic = 'force-dynamic'

/** Server-Sent Events: one `change` message per burst of job changes ({ jobIds, workflowIds, refresh }). */
export const GET = handler('viewer', async (request) => {
  const encoder = new TextEncoder()
  let unsubscribe = () => {}
  let keepAlive: NodeJS.Timeout | undefined
  const stream = new ReadableStream({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text))
        } catch {
          close()
        }
      }
      const close = () => {
        unsubscribe()
        clearInterval(keepAlive)
      }
      send('retry: 2000\n: connected\n\n')
      unsubscribe = liveHub.subscribe((change) => send(`event: change\ndata: ${JSON.stringify(change)}\n\n`))
      keepAlive = setInterval(() => send(': keep-alive\n\n'), 15_000)
      request.signal.addEventListener('abort', () => {
        close()
        try {
          controller.close()
        } catch {}
      })
    },
    cancel() {
      unsubscribe()
      clearInterval(keepAlive)
    },
  })
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' },
  })
})
