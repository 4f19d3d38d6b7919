// Runs before every page and API call: it refuses a Host the console does not answer to (DNS
// rebinding, lib/api/allowed-hosts.ts) and a path that is not percent-encoded UTF-8 (Next.js
// would fail decoding it, with a plain-text 500); then, for pages, a fresh nonce per response, and a
// Content Security Policy that lets only scripts carrying it (Next.js puts it on its own) run:
// no inline script from anywhere else. Styles may be inline (React Flow positions nodes with
// style attributes). API routes get the other security headers from next.config.ts.
import { NextResponse, type NextRequest } from 'next/server'
import { hostAllowed } from './lib/api/allowed-hosts.ts'

export function proxy(request: NextRequest) {
  if (!hostAllowed(request.headers.get('host'))) {
    const message = `this console does not answer to the host ${JSON.stringify(request.headers.get('host') ?? '')}: list it in MANANA_ALLOWED_HOSTS`
    return NextResponse.json({ error: { code: 'host_not_allowed', message } }, { status: 421 })
  }
  if (!decodable(request.nextUrl.pathname)) {
    return NextResponse.json({ error: { code: 'invalid_request', message: 'the path is not percent-encoded UTF-8' } }, { status: 400 })
  }
  if (request.nextUrl.pathname.startsWith('/api/')) return NextResponse.next()
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  const policy = [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ')
  const headers = new Headers(request.headers)
  headers.set('x-nonce', nonce)
  headers.set('x-pathname', request.nextUrl.pathname + request.nextUrl.search) // for the sign-in redirect
  headers.set('content-security-policy', policy) // Next.js reads the nonce from here
  const response = NextResponse.next({ request: { headers } })
  response.headers.set('content-security-policy', policy)
  return response
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
}
