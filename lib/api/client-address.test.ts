import { describe, expect, it } from 'vitest'
import { clientAddress, trustedProxies } from './client-address.ts'

const request = (peer: string | null, forwardedFor?: string) =>
  new Request('http://127.0.0.1/', { headers: { ...(peer === null ? {} : { 'x-manana-peer': peer }), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) } })

describe("a request's client address", () => {
  it('is the socket peer, whatever X-Forwarded-For claims, when no proxy is trusted', () => {
    const none = trustedProxies('')
    expect(clientAddress(request('192.0.2.7', '203.0.113.9'), none)).toBe('192.0.2.7')
    expect(clientAddress(request('::ffff:127.0.0.1', 'x'.repeat(15_000)), none)).toBe('127.0.0.1')
    expect(clientAddress(request(null, '203.0.113.9'), none)).toBeNull()
  })

  it('behind trusted proxies, is the right-most hop they did not add', () => {
    const proxies = trustedProxies('10.0.0.0/8, 2001:db8::1')
    expect(clientAddress(request('10.0.0.2', '203.0.113.9, 198.51.100.4'), proxies)).toBe('198.51.100.4')
    expect(clientAddress(request('10.0.0.2', '203.0.113.9, 198.51.100.4, 10.1.2.3'), proxies)).toBe('198.51.100.4')
    expect(clientAddress(request('2001:db8::1', '203.0.113.9'), proxies)).toBe('203.0.113.9')
    expect(clientAddress(request('10.0.0.2', `${'x'.repeat(15_000)}`), proxies)).toHaveLength(64)
    expect(clientAddress(request('10.0.0.2'), proxies)).toBe('10.0.0.2') // nothing forwarded: the proxy itself
  })

  it('refuses a setting that names no address', () => {
    expect(() => trustedProxies('10.0.0.0/8, proxy.internal')).toThrow('proxy.internal is not an address or a CIDR range')
  })
})
