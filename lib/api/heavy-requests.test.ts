import { describe, expect, it } from 'vitest'
import type { Actor } from '../auth/roles.ts'
import { asHeavyRequest, maxHeavyPerActor } from './heavy-requests.ts'
import { toErrorResponse } from './http.ts'

const alice: Actor = { name: 'alice', role: 'viewer', userId: 1 }
const token: Actor = { name: 'token:grafana', role: 'viewer' }

describe('heavy requests', () => {
  it('run a few at once per user or token; more are refused with 429 and Retry-After, and each slot frees as its work ends', async () => {
    let finish!: () => void
    const held = new Promise<void>((resolve) => (finish = resolve))
    const running = Array.from({ length: maxHeavyPerActor }, () => asHeavyRequest(alice, () => held))
    const refused = await asHeavyRequest(alice, async () => 'ran').catch((error) => toErrorResponse(error))
    expect(refused).toBeInstanceOf(Response)
    const response = refused as Response
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('1')
    expect((await response.json()).error.code).toBe('too_many_requests')
    // Someone else is not held back by alice's.
    expect(await asHeavyRequest(token, async () => 'ran')).toBe('ran')
    finish()
    await Promise.all(running)
    expect(await asHeavyRequest(alice, async () => 'ran')).toBe('ran')
    // A failure frees its slot too.
    for (let i = 0; i < maxHeavyPerActor + 1; i++) await expect(asHeavyRequest(alice, () => Promise.reject(new Error('no')))).rejects.toThrow('no')
  })
})
