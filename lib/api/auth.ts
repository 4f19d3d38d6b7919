// Who is asking: a bearer API token, or a browser's session cookie. A browser's state-changing
// request must also come from the console's own origin (CSRF), on top of the SameSite cookie.
import { tokenActor } from '../auth/api-tokens.ts'
import { allows, type Actor, type Role } from '../auth/roles.ts'
import { sessionActor } from '../auth/sessions.ts'
import { consoleContext } from '../console/context.ts'
import { HttpError } from './http-error.ts'

/** What a route needs: anyone (signing in), any signed-in user, or at least a role. */
export type Need = 'anyone' | 'signed-in' | Role

export const sessionCookie = 'manana_session'

export const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** A cookie's value; a malformed one (bad percent-encoding) is no value at all. */
export function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key !== name) continue
    try {
      return decodeURIComponent(value.join('='))
    } catch {
      return undefined
    }
  }
  return undefined
}

/** Refuses a state-changing browser request that another site may have sent. */
export function checkSameOrigin(request: Request) {
  if (safeMethods.has(request.method)) return
  const origin = request.headers.get('origin')
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host')
  const fetchSite = request.headers.get('sec-fetch-site')
  const sameOrigin = origin ? safeHost(origin) === host : fetchSite === 'same-origin'
  if (!sameOrigin) throw new HttpError(403, 'cross_origin', 'a request that changes something must come from the console itself')
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host
  } catch {
    return undefined
  }
}

/**
 * Who is asking, or undefined; an unknown or revoked bearer token is an error, not anonymity.
 * A session cookie's request must then pass checkCookieOrigin.
 */
export async function authenticate(request: Request): Promise<Actor | undefined> {
  const authorization = request.headers.get('authorization')
  const { db } = await consoleContext()
  if (authorization) {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1]
    const actor = token ? await tokenActor(db, token) : undefined
    if (!actor) throw new HttpError(401, 'invalid_token', 'the bearer token is unknown or revoked')
    return actor
  }
  const session = cookieValue(request, sessionCookie)
  return session ? sessionActor(db, session) : undefined
}

/** A session cookie comes with any request to this site, whoever made the browser send one. */
function checkCookieOrigin(request: Request): void {
  if (!request.headers.get('authorization') && cookieValue(request, sessionCookie)) checkSameOrigin(request)
}

/**
 * Throws unless the request, made by this actor (undefined: nobody signed in), may have what the
 * route needs: a cookie's request from the console's own origin, the role, a chosen password.
 */
export function permit(request: Request, actor: Actor | undefined, need: Need): void {
  checkCookieOrigin(request)
  if (need === 'anyone') return
  if (!actor) throw new HttpError(401, 'unauthenticated', 'sign in, or send an API token as "Authorization: Bearer …"')
  if (need === 'signed-in') return
  if (actor.mustChangePassword) throw new HttpError(403, 'password_change_required', 'choose a new password first')
  if (!allows(actor.role, need)) throw new HttpError(403, 'forbidden', `this needs the ${need} role; ${actor.name} is ${actor.role}`)
}

export async function authorize(request: Request, need: Need): Promise<Actor | undefined> {
  const actor = await authenticate(request)
  permit(request, actor, need)
  return actor
}
