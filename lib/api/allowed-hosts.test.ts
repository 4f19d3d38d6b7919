import { describe, expect, it } from 'vitest'
import { allowedHostNames, hostAllowed } from './allowed-hosts.ts'

describe('the hosts the console answers to', () => {
  it('are addresses and localhost, and the names MANANA_ALLOWED_HOSTS lists', () => {
    for (const host of ['127.0.0.1:3000', '[::1]:3000', '192.0.2.2', 'localhost:3000', 'LOCALHOST']) expect(hostAllowed(host, [])).toBe(true)
    for (const host of ['rebind.example:3000', 'evil.localhost.example', '', null]) expect(hostAllowed(host, [])).toBe(false)
    const allowed = allowedHostNames(' Console.Example.com , ops.internal')
    expect(hostAllowed('console.example.com', allowed)).toBe(true)
    expect(hostAllowed('ops.internal:8443', allowed)).toBe(true)
    expect(hostAllowed('example.com', allowed)).toBe(false)
  })
})
