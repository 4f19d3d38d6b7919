import { checkSameOrigin, cookieValue, sessionCookie } from '@/lib/api/auth.ts'
import { HttpError } from '@/lib/api/http-error.ts'
import { clientAddress } from '@/lib/api/client-address.ts'
import { body, handler, respond } from '@/lib/api/http.ts'
import { signInBody } from '@/lib/api/schemas.ts'
import { clearSessionCookie, setSessionCookie } from '@/lib/api/session-cookie.ts'
import { writeAudit } from '@/lib/auth/audit.ts'
import { endSession } from '@/lib/auth/sessions.ts'
import { signIn } from '@/lib/auth/sign-in.ts'
import { consoleContext } from '@/lib/console/context.ts'

export const dynamic = 'force-dynamic'

/** Who is signed in. */
export const GET = handler<'GET /api/session'>('signed-in', async (_request, { actor }) => ({ user: actor! }))

/** Signs in: { username, password } → a session cookie. */
export const POST = handler<'POST /api/session'>('anyone', async (request) => {
  checkSameOrigin(request) // no signing a browser in to someone else's account from another site
  const { username, password } = await body(request, signInBody)
  const result = await signIn((await consoleContext()).db, username, password, clientAddress(request))
  if (!result.ok) {
    throw result.reason === 'too_many_attempts'
      ? new HttpError(429, 'too_many_attempts', 'too many failed sign-ins: wait a quarter of an hour')
      : new HttpError(401, 'invalid_credentials', 'wrong username or password')
  }
  return respond({ user: result.actor }, { headers: { 'set-cookie': setSessionCookie(request, result.token, result.expiresAt) } })
})

/** Signs out. */
export const DELETE = handler<'DELETE /api/session'>('signed-in', async (request, { audit }) => {
  const { db } = await consoleContext()
  const token = cookieValue(request, sessionCookie)
  if (token) await endSession(db, token)
  await writeAudit(db, audit, { action: 'sign_out', jobIds: [], details: {} }, 'ok')
  return respond({ signedOut: true as const }, { headers: { 'set-cookie': clearSessionCookie(request) } })
})
