// A worker's probe and metrics endpoints need no credentials, so what one client can hold is
// bounded: a few connections, each closed unless it sends its request in time.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { endpointTimeoutMs, json, maxEndpointConnections, serveEndpoints, type EndpointServer } from './endpoints.ts'

const connect = (port: number) =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
  })
/**
 * Until the socket closes, reading what comes: a paused socket sent data before the server's
 * close (its 408 when the headers time out) never ends, so never closes.
 */
const closed = (socket: net.Socket) =>
  new Promise<void>((resolve) => {
    if (socket.closed) return resolve()
    socket.once('close', () => resolve())
    if (socket.listenerCount('data') === 0) socket.resume()
  })
/** Until the server counts `count` connections (a client's connect or close is seen by it a moment later). */
async function untilConnections(served: EndpointServer, count: number): Promise<void> {
  while ((await served.connections()) !== count) await new Promise((resolve) => setTimeout(resolve, 10))
}

describe('worker endpoints', () => {
  it('listen on the address given, close a connection that does not send its request in time, and serve a bounded number at once', async () => {
    const served = await serveEndpoints({ '/live': () => json(200, { live: true }) }, 0, '127.0.0.1')
    try {
      // A slow client (headers never finished) is closed after the timeout, not minutes later.
      const slow = await connect(served.port)
      slow.write('GET /live HTTP/1.1\r\nHost: worker\r\n')
      const started = performance.now()
      await closed(slow)
      expect(performance.now() - started).toBeLessThan(endpointTimeoutMs + 3000)
      await untilConnections(served, 0)

      // Past the limit, connections are closed as they come; the ones held are still served.
      const held = await Promise.all(Array.from({ length: maxEndpointConnections }, () => connect(served.port)))
      await untilConnections(served, maxEndpointConnections)
      const extra = await connect(served.port)
      await closed(extra)
      let answer = ''
      held[0]!.on('data', (chunk) => (answer += chunk))
      held[0]!.write('GET /live HTTP/1.1\r\nHost: worker\r\nConnection: close\r\n\r\n')
      await closed(held[0]!)
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK/)
      for (const socket of held) socket.destroy()
    } finally {
      await served.close()
    }
    // Only on that address: 127.0.0.2 is this machine too, but not the address it listens on.
    const bound = await serveEndpoints({}, 0, '127.0.0.1')
    try {
      await expect(new Promise((resolve, reject) => net.connect(bound.port, '127.0.0.2', () => resolve(undefined)).once('error', reject))).rejects.toMatchObject({ code: 'ECONNREFUSED' })
    } finally {
      await bound.close()
    }
  })
})
