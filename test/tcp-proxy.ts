// A TCP proxy in front of a database that can be cut off like a network partition (connections
// stay open at both ends, but nothing passes any more: no reset, no close), or drop every
// connection and refuse new ones, until it is healed; or lose the answer to one statement.
import net from 'node:net'

export interface TcpProxy {
  /** `url` with its host and port pointing at the proxy. */
  url: string
  /** Stop forwarding, in both directions, on every connection, open and new. */
  cut(): void
  /** Close every connection and refuse new ones (as a peer that went away), until healed. */
  drop(): void
  /**
   * Forward the next statement whose text holds `text` (the server runs it and commits), then, in
   * place of its answer, drop every connection and refuse new ones, as drop() does.
   */
  dropAnswerTo(text: string): Promise<void>
  /** Forward again. */
  heal(): void
  close(): Promise<void>
}

export async function startTcpProxy(url: string): Promise<TcpProxy> {
  const target = new URL(url)
  const sockets = new Set<net.Socket>()
  let cut = false
  let dropping = false
  let answerLost: { text: string; connection?: net.Socket; dropped(): void } | undefined
  const dropAll = () => {
    dropping = true
    for (const socket of sockets) socket.destroy()
  }
  const server = net.createServer((client) => {
    if (dropping) return client.destroy()
    const upstream = net.connect(Number(target.port || 5432), target.hostname)
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from)
      from.on('data', (chunk) => {
        if (answerLost && from === client && !answerLost.connection && chunk.includes(answerLost.text)) answerLost.connection = upstream
        if (answerLost && from === answerLost.connection) {
          answerLost.dropped()
          answerLost = undefined
          return dropAll()
        }
        // Held back while cut: as packets a partition drops, and TCP would send again once healed.
        if (cut) held.push([to, chunk])
        else to.write(chunk)
      })
      from.on('error', () => to.destroy())
      from.on('close', () => {
        sockets.delete(from)
        to.destroy()
      })
    }
  })
  const held: Array<[net.Socket, Buffer]> = []
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const proxied = new URL(url)
  proxied.hostname = '127.0.0.1'
  proxied.port = String((server.address() as net.AddressInfo).port)
  return {
    url: proxied.toString(),
    cut() {
      cut = true
    },
    drop: dropAll,
    dropAnswerTo(text) {
      return new Promise((dropped) => (answerLost = { text, dropped }))
    },
    heal() {
      cut = false
      dropping = false
      for (const [to, chunk] of held.splice(0)) to.write(chunk)
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
