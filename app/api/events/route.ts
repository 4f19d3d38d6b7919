import { authorize } from '@/lib/api/auth.ts'
import { handler } from '@/lib/api/http.ts'
import { liveHub } from '@/lib/console/live.ts'

export const dynamic = 'force-dynamic'

/** How often an open stream checks that its session or token still holds. */
const credentialCheckMs = 3000

/**
 * Server-Sent Events: one `change` message per burst of job changes ({ jobIds, workflowIds, refresh }).
 * The stream ends (after an `ended` message) once its credential does: signed out, session ended
 * by a password change or the user's removal, token revoked.
 */
export const GET = handler<'GET /api/events'>('viewer', async (request) => {
  const encoder = new TextEncoder()
  let unsubscribe = () => {}
  let keepAlive: NodeJS.Timeout | undefined
  let recheck: NodeJS.Timeout | undefined
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
        clearInterval(recheck)
        try {
          controller.close()
        } catch {}
      }
      send('retry: 2000\n: connected\n\n')
      unsubscribe = liveHub.subscribe((change) => send(`event: change\ndata: ${JSON.stringify(change)}\n\n`))
      keepAlive = setInterval(() => send(': keep-alive\n\n'), 15_000)
      recheck = setInterval(() => {
        authorize(request, 'viewer').catch(() => {
          send('event: ended\ndata: {"reason":"the session or token has ended"}\n\n')
          close()
        })
      }, credentialCheckMs)
      request.signal.addEventListener('abort', close)
    },
    cancel() {
      unsubscribe()
      clearInterval(keepAlive)
      clearInterval(recheck)
    },
  })
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' },
  })
})
