// A worker's small HTTP endpoints (probes, metrics): GET routes answering from the worker's
// state; anything else a JSON error.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Answer {
  status: number
  contentType: string
  body: string
}

export interface EndpointServer {
  /** The port it listens on (the one given, or the one chosen for 0). */
  port: number
  close(): Promise<void>
}

export const json = (status: number, value: unknown): Answer => ({ status, contentType: 'application/json', body: JSON.stringify(value) })

/** Serves `routes` (path → answer) on `port` (0: any free port) of `host`. */
export async function serveEndpoints(routes: Record<string, () => Answer>, port: number, host = '0.0.0.0'): Promise<EndpointServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined
    const answer =
      request.method !== 'GET' && request.method !== 'HEAD'
        ? json(405, { error: { code: 'method_not_allowed', message: 'use GET' } })
        : route
          ? route()
          : json(404, { error: { code: 'not_found', message: `GET ${Object.keys(routes).join(' or ')}` } })
    response.writeHead(answer.status, { 'content-type': answer.contentType, 'cache-control': 'no-store' })
    response.end(request.method === 'HEAD' ? undefined : answer.body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
