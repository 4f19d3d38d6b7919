// Loaded into the console's server process (node --require, see console-server.ts): stamps each
// request with the address of the socket it came on, in x-manana-peer, replacing whatever a
// client sent under that name. Next.js passes a client's X-Forwarded-For through as it came, so
// without this nothing would tell a proxy's forwarding from a client's claim
// (lib/api/client-address.ts decides whom to believe).
const http = require('node:http')

const createServer = http.createServer
http.createServer = function createServerStampingPeers(...args) {
  const server = createServer.apply(this, args)
  server.prependListener('request', (request) => {
    request.headers['x-manana-peer'] = request.socket.remoteAddress ?? ''
  })
  return server
}
