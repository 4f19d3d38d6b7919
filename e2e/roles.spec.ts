// Every operation in /api/openapi.json says which role it needs (x-role); this checks the server
// enforces exactly that: without credentials 401, with the role just below it 403.
import type { APIRequestContext } from '@playwright/test'
import { expect, test } from './fixtures.ts'

const below = { viewer: undefined, operator: 'viewer', admin: 'operator' } as const

test('every API route enforces the role its documentation states', async ({ request, playwright, baseURL }) => {
  const document = await (await request.get('/api/openapi.json')).json()
  const tokens: Record<string, string> = {}
  for (const role of ['viewer', 'operator']) {
    const response = await request.post('/api/tokens', { data: { name: `roles-${role}-${Date.now()}`, role } })
    tokens[role] = (await response.json()).token
  }
  const as = (role?: string) =>
    playwright.request.newContext({
      baseURL,
      storageState: { cookies: [], origins: [] },
      extraHTTPHeaders: role ? { authorization: `Bearer ${tokens[role]}` } : {},
    })
  const contexts: Record<string, APIRequestContext> = { none: await as(), viewer: await as('viewer'), operator: await as('operator') }
  const checked: string[] = []
  for (const [template, operations] of Object.entries<Record<string, { 'x-role': string }>>(document.paths)) {
    const path = template.replace('{id}', '1').replace('{username}', 'nobody').replace('{name}', 'roles-check')
    for (const [method, operation] of Object.entries(operations)) {
      const role = operation['x-role']
      expect(role, `${method} ${template}`).toMatch(/^(anyone|signed-in|viewer|operator|admin)$/)
      if (role === 'anyone') continue
      const call = (context: APIRequestContext) => context.fetch(path, { method: method.toUpperCase(), data: method === 'get' ? undefined : {} })
      const anonymous = await call(contexts.none!)
      expect(anonymous.status(), `${method} ${template} without credentials`).toBe(401)
      const lower = below[role as keyof typeof below]
      if (lower) {
        const refused = await call(contexts[lower]!)
        expect(refused.status(), `${method} ${template} as ${lower}`).toBe(403)
        expect((await refused.json()).error.code).toBe('forbidden')
      }
      checked.push(`${method.toUpperCase()} ${template} ${role}`)
    }
  }
  console.log(`roles checked:\n${checked.join('\n')}`)
  expect(checked.length).toBeGreaterThanOrEqual(28)
  for (const context of Object.values(contexts)) await context.dispose()
})
