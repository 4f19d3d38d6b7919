import { describe, expect, it } from 'vitest'
import { cookieValue } from './auth.ts'
import { toErrorResponse } from './http.ts'
import { deferBody } from './schemas.ts'

async function messageFor(input: unknown) {
  const parsed = deferBody.safeParse(input)
  expect(parsed.success).toBe(false)
  const response = toErrorResponse(parsed.error)
  expect(response.status).toBe(400)
  const { error } = await response.json()
  expect(error.code).toBe('invalid_request')
  return error.message as string
}

describe('request errors', () => {
  it('name the field at fault, not just "invalid input", when a body matches neither a job nor a workflow', async () => {
    expect(await messageFor({ workflow: { a: { task: 'x', priority: 'high' } } })).toMatch(/^workflow\.a\.priority: /)
    expect(await messageFor({ task: 'x', args: [1] })).toMatch(/^args: /)
  })
})

describe('ids in paths and queries', () => {
  it('are plain decimal digits, not whatever Number() can read', async () => {
    const { jobIdParams } = await import('./schemas.ts')
    expect(jobIdParams.parse({ id: '42' })).toEqual({ id: 42 })
    for (const text of [' 1', '0x1', '1e3', '1.0', '-1', '0', '99999999999999999']) expect(jobIdParams.safeParse({ id: text }).success).toBe(false)
  })
})

describe('cookies', () => {
  it('are read, and a malformed one counts as absent rather than failing the request', () => {
    const request = (cookie: string) => new Request('http://127.0.0.1/', { headers: { cookie } })
    expect(cookieValue(request('a=1; manana_session=abc%20d'), 'manana_session')).toBe('abc d')
    expect(cookieValue(request('manana_session=%E0%A4%A'), 'manana_session')).toBeUndefined()
    expect(cookieValue(request('other=1'), 'manana_session')).toBeUndefined()
  })
})

describe('answers made already', () => {
  it('carry an ETag of their text, and are not sent again to a client that names it', async () => {
    const { respondWithJson } = await import('./http.ts')
    const { Json } = await import('../console/workflow-views.ts')
    const json = new Json<{ a: number }>(JSON.stringify({ a: 1 }))
    const first = respondWithJson(json, new Request('http://console/api/jobs/1/timeline'))
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ a: 1 })
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^"[\w-]+"$/)
    const again = respondWithJson(json, new Request('http://console/api/jobs/1/timeline', { headers: { 'if-none-match': etag } }))
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    const other = respondWithJson(new Json(JSON.stringify({ a: 2 })), new Request('http://console/api/jobs/1/timeline', { headers: { 'if-none-match': etag } }))
    expect(other.status).toBe(200)
  })
})
