import { describe, expect, it } from 'vitest'
import { sameOriginPath } from './same-origin-path.ts'

const origin = 'http://127.0.0.1:3000'

describe('the page to go to after signing in', () => {
  it('is a page of the console', () => {
    expect(sameOriginPath('/jobs?status=failed#top', origin)).toBe('/jobs?status=failed#top')
    expect(sameOriginPath('/jobs/1/graph', origin)).toBe('/jobs/1/graph')
    expect(sameOriginPath(null, origin)).toBe('/')
  })

  it('is never another site, however the address is spelt', () => {
    for (const next of ['/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/\\/evil.example', '//evil.example', 'https://evil.example/', 'javascript:alert(1)', 'http://127.0.0.1:3001/']) {
      expect(sameOriginPath(next, origin)).toBe('/')
    }
  })
})
