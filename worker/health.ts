// A worker's liveness and readiness over HTTP, for an orchestrator's probes (Kubernetes, Nomad,
// a load balancer): GET /live and GET /ready answer 200 or 503 with a JSON body saying why.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Health {
  /** The worker's loop turns (it is not stuck). */
  live: boolean
  /** It can take jobs: registered, its database answers, it listens for notifications. */
  ready: boolean
  /** What is wrong, when either is false. */
  problems: string[]
}

export interface HealthServer {
  /** The port it listens on (the one given, or the one chosen for 0). */
  port: number
  close(): Promise<void>
}

/** Serves `health()` on `port` (0: any free port) of `host`. */
export async function serveHealth(health: () => Health, port: number, host = '0.0.0.0'): Promise<HealthServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      response.end(JSON.stringify(body))
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, { error: { code: 'method_not_allowed', message: 'use GET' } })
    const state = health()
    if (path === '/live') return answer(state.live ? 200 : 503, { live: state.live, problems: state.problems })
    if (path === '/ready') return answer(state.ready ? 200 : 503, { ready: state.ready, problems: state.problems })
    answer(404, { error: { code: 'not_found', message: 'GET /live or /ready' } })
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
