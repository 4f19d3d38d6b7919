// Where a request comes from, for the audit log and the per-address sign-in limit: the socket's
// peer (stamped by the console's server, worker/console-peer.cjs), unless that peer is a proxy
// named in MANANA_TRUSTED_PROXIES (addresses or CIDR ranges, comma-separated; none by default).
// Then X-Forwarded-For is read from the right, past the trusted proxies, to the first hop they
// did not add themselves: the left of it is the client's to write, and so not believed.
import net from 'node:net'

/** The longest address kept (an IPv6 address with a zone is well under this). */
const maxAddressLength = 64

export function trustedProxies(setting = process.env.MANANA_TRUSTED_PROXIES ?? ''): net.BlockList {
  const list = new net.BlockList()
  for (const entry of setting.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [address, bits] = entry.split('/')
    const family = net.isIPv6(address!) ? 'ipv6' : 'ipv4'
    if (!net.isIP(address!)) throw new Error(`MANANA_TRUSTED_PROXIES: ${entry} is not an address or a CIDR range`)
    if (bits === undefined) list.addAddress(address!, family)
    else list.addSubnet(address!, Number(bits), family)
  }
  return list
}

const normalise = (address: string) => address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1')
const isTrusted = (trusted: net.BlockList, address: string) => net.isIP(address) !== 0 && trusted.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4')

let configured: net.BlockList | undefined

/** The client's address, or null when the request came by no socket this server stamped. */
export function clientAddress(request: Request, trusted = (configured ??= trustedProxies())): string | null {
  const peer = request.headers.get('x-manana-peer')
  if (!peer) return null
  let address = normalise(peer)
  const hops = (request.headers.get('x-forwarded-for') ?? '').split(',').map((hop) => normalise(hop.trim())).filter(Boolean)
  while (isTrusted(trusted, address) && hops.length) address = hops.pop()!
  return net.isIP(address) ? address : address.slice(0, maxAddressLength)
}
