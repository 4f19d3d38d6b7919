// The session cookie: httpOnly, SameSite=Lax (a link from elsewhere opens the console signed in;
// another site's POST carries no cookie), and Secure wherever the browser accepts it: over HTTPS
// and on loopback addresses. Only plain HTTP to another host goes without, or no sign-in would work.
import { sessionCookie } from './auth.ts'

function secure(request: Request): boolean {
  const url = new URL(request.url)
  const proto = request.headers.get('x-forwarded-proto') ?? url.protocol.replace(':', '')
  const host = (request.headers.get('host') ?? url.host).replace(/:\d+$/, '')
  return proto === 'https' || host === 'localhost' || host === '127.0.0.1' || host === '[::1]'
}

export function setSessionCookie(request: Request, token: string, expiresAt: Date): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000))
  return `${sessionCookie}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure(request) ? '; Secure' : ''}`
}

export function clearSessionCookie(request: Request): string {
  return `${sessionCookie}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure(request) ? '; Secure' : ''}`
}
