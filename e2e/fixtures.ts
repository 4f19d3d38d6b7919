// Every browser test runs signed in as the admin (a session cookie), and its `request` calls the
// API with an admin token; tests of other roles make their own users.
import { test as base, expect, type APIRequestContext } from '@playwright/test'
import { adminPassword } from './admin.ts'


/** Signs in through the API as a browser would (same origin); the context holds the cookie. */
export async function signIn(context: APIRequestContext, username: string, password: string) {
  const response = await context.post('/api/session', { data: { username, password } })
  expect(response.status(), await response.text()).toBe(200)
}

type Auth = { adminToken: string; adminState: Awaited<ReturnType<APIRequestContext['storageState']>> }

export const test = base.extend<{}, { auth: Auth }>({
  auth: [
    async ({ playwright }, use, workerInfo) => {
      const baseURL = workerInfo.project.use.baseURL!
      const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } })
      await signIn(context, 'admin', adminPassword)
      const created = await context.post('/api/tokens', { data: { name: `e2e-${workerInfo.workerIndex}-${Date.now()}`, role: 'admin' } })
      expect(created.status(), await created.text()).toBe(201)
      const { token } = await created.json()
      await use({ adminToken: token, adminState: await context.storageState() })
      await context.dispose()
    },
    { scope: 'worker' },
  ],
  storageState: async ({ auth }, use) => use(auth.adminState),
  request: async ({ playwright, auth, baseURL }, use) => {
    const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${auth.adminToken}` } })
    await use(context)
    await context.dispose()
  },
})

export { expect }
