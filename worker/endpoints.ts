// A worker's small HTTP endpoints (probes, metrics): GET routes answering from the worker's
// state; anything else a JSON error. They need no credentials (probes and scrapers send none),
// so they bound what a client can hold: a few connections, each closed unless it sends its
// request within seconds and is idle no longer than that.
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
  /** Connections open now (as the server counts them against its bound). */
  connections(): Promise<number>
  close(): Promise<void>
}

export const json = (status: number, value: unknown): Answer => ({ status, contentType: 'application/json', body: JSON.stringify(value) })

/** Connections served at once (more are closed as they come). */
export const maxEndpointConnections = 32
/** Milliseconds a connection has to send its request, and may stay idle between requests. */
export const endpointTimeoutMs = 5000

/** Serves `routes` (path → answer) on `port` (0: any free port) of `host`. */
export async function serveEndpoints(routes: Record<string, () => Answer>, port: number, host = '0.0.0.0'): Promise<EndpointServer> {
  const options = { headersTimeout: endpointTimeoutMs, requestTimeout: endpointTimeoutMs, keepAliveTimeout: endpointTimeoutMs, connectionsCheckingInterval: 1000 }
  const server = http.createServer(options, (request, response) => {
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
  server.maxConnections = maxEndpointConnections
  server.setTimeout(endpointTimeoutMs, (socket) => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
