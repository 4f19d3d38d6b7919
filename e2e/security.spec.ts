// Who may do what: sign-in, roles in the browser and in the API, the audit log, CSRF, headers.
import { once } from 'node:events'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { APIRequestContext, APIResponse, Browser, Page } from '@playwright/test'
import pg from 'pg'
import { adminPassword, serverFile } from './admin.ts'
import { expect, signIn, test } from './fixtures.ts'

const password = 'a long enough password'
/** Contexts start without the admin's cookie (the fixtures give every context one by default). */
const noCookies = { cookies: [], origins: [] }

/** A user of this role, made by the admin, and a browser page signed in as them through the form. */
async function userPage(browser: Browser, request: APIRequestContext, role: 'viewer' | 'operator'): Promise<{ page: Page; username: string }> {
  const username = `${role}-${Date.now()}`
  expect((await request.post('/api/users', { data: { username, role, password } })).status()).toBe(201)
  const context = await browser.newContext({ storageState: noCookies })
  const page = await context.newPage()
  await page.goto('/')
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
  return { page, username }
}

/** A job that waits (scheduled an hour ahead), so that it can be cancelled. */
async function waitingJob(request: APIRequestContext): Promise<number> {
  const response = await request.post('/api/jobs', { data: { task: 'step', args: { label: 'security' }, scheduleIn: 3600 } })
  expect(response.status()).toBe(201)
  return (await response.json()).id
}

/** The page's own fetch, so the browser sends its cookie and Origin as for any click. */
const fetchFromPage = (page: Page, path: string, method = 'POST') =>
  page.evaluate(async ([path, method]) => {
    const response = await fetch(path!, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' })
    return { status: response.status, body: await response.json() }
  }, [path, method])

test('without a session the API answers 401 and pages go to the sign-in', async ({ playwright, baseURL, browser }) => {
  const anonymous = await playwright.request.newContext({ baseURL, storageState: noCookies })
  for (const path of ['/api/jobs', '/api/stats', '/api/audit', '/api/users', '/api/events', '/api/metrics']) {
    const response = await anonymous.get(path)
    expect(response.status(), path).toBe(401)
    expect((await response.json()).error.code).toBe('unauthenticated')
  }
  const badToken = await anonymous.get('/api/jobs', { headers: { authorization: 'Bearer mnt_forged' } })
  expect((await badToken.json()).error.code).toBe('invalid_token')
  expect((await anonymous.get('/api/health')).status()).toBe(200)
  await anonymous.dispose()

  const page = await (await browser.newContext({ storageState: noCookies })).newPage()
  await page.goto('/jobs?status=failed')
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fjobs%3Fstatus%3Dfailed$/)
  await expect(page.getByRole('heading', { name: 'Sign in to Mañana' })).toBeVisible()
  await page.getByLabel('Username').fill('admin')
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toHaveText('wrong username or password')
  await page.getByLabel('Password').fill(adminPassword)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/jobs\?status=failed$/)
})

test('a viewer sees no action buttons, and the API refuses its actions with 403', async ({ browser, request }) => {
  const id = await waitingJob(request)
  const { page } = await userPage(browser, request, 'viewer')
  await expect(page.getByRole('link', { name: 'Defer' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0)
  await page.goto(`/jobs/${id}`)
  await expect(page.getByRole('heading', { name: new RegExp(`Job ${id}`) })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0)
  for (const path of [`/api/jobs/${id}/cancel`, `/api/jobs/${id}/abort`, `/api/jobs/${id}/retry`, '/api/jobs/bulk', '/api/users']) {
    const { status, body } = await fetchFromPage(page, path)
    expect(status, path).toBe(403)
    expect(body.error.code).toBe('forbidden')
  }
  expect((await fetchFromPage(page, `/api/jobs/${id}`, 'DELETE')).status).toBe(403)
  expect((await (await request.get(`/api/jobs/${id}`)).json()).job.status).toBe('todo')
})

test('argument values can be hidden from viewers, and then cannot be searched', async ({ browser, request }) => {
  const id = await waitingJob(request)
  // A failed job with a lock: its error message, stack and lock name carry values too.
  const deferred = await request.post('/api/jobs', { data: { task: 'call_flaky_api', args: { customer: 'c-42' }, lock: 'customer-42' } })
  const failed = (await deferred.json()).id
  await expect.poll(async () => (await (await request.get(`/api/jobs/${failed}`)).json()).job.status, { timeout: 30_000 }).toBe('failed')
  // A workflow run's input is a value too.
  const run = await request.post('/api/workflows', { data: { name: 'etl', input: { url: 'https://example.com/customer-42.csv' } } })
  expect(run.status(), await run.text()).toBe(201)
  const { page } = await userPage(browser, request, 'viewer')
  expect((await request.patch('/api/settings', { data: { hideValuesFromViewers: true } })).ok()).toBe(true)
  try {
    const { body } = await fetchFromPage(page, `/api/jobs/${id}`, 'GET')
    expect(body.job).toMatchObject({ args: {}, result: null, valuesHidden: true })
    expect((await fetchFromPage(page, '/api/jobs?args=label:security', 'GET')).body.error.code).toBe('values_hidden')
    const failedDetail = (await fetchFromPage(page, `/api/jobs/${failed}`, 'GET')).body
    expect(failedDetail.job).toMatchObject({ lock: null, valuesHidden: true })
    expect(failedDetail.attempts).toEqual([expect.objectContaining({ message: 'hidden from viewers', stack: null })])
    expect((await fetchFromPage(page, '/api/jobs?lock=customer-42', 'GET')).body.error.code).toBe('values_hidden')
    const overview = (await fetchFromPage(page, '/api/stats', 'GET')).body
    expect(overview.recentFailures.length).toBeGreaterThan(0)
    expect(overview.recentFailures.filter((failure: { message: string | null }) => failure.message !== null)).toEqual([])
    expect((await (await request.get(`/api/jobs/${failed}`)).json()).attempts[0].message).toContain('fails on purpose')
    // The Tasks page's latest failures and a job's log lines carry values as error messages do.
    const flaky = (await fetchFromPage(page, '/api/tasks/activity', 'GET')).body.tasks.find((task: { task: string }) => task.task === 'call_flaky_api')
    expect(flaky.latestFailures.length).toBeGreaterThan(0)
    expect(flaky.latestFailures.filter((failure: { message: string | null }) => failure.message !== null)).toEqual([])
    expect((await fetchFromPage(page, `/api/jobs/${failed}/logs`, 'GET')).body).toMatchObject({ attempt: 1, lines: [], valuesHidden: true })
    expect((await (await request.get(`/api/jobs/${failed}/logs`)).json()).lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'the partner API answered 503' }))
    const runs = (await fetchFromPage(page, '/api/workflows?name=etl', 'GET')).body.workflows
    expect(runs.length).toBeGreaterThan(0)
    expect(runs.filter((workflow: { input: unknown }) => workflow.input !== null)).toEqual([])
    const etl = (await fetchFromPage(page, '/api/workflows/definitions', 'GET')).body.definitions.find((definition: { name: string }) => definition.name === 'etl')
    expect(etl.lastRuns.filter((workflow: { input: unknown }) => workflow.input !== null)).toEqual([])
    expect((await (await request.get('/api/workflows?name=etl')).json()).workflows[0].input).toEqual({ url: 'https://example.com/customer-42.csv' })
    await page.goto(`/jobs/${id}`)
    await expect(page.getByText('hidden from viewers')).toBeVisible()
    expect((await (await request.get(`/api/jobs/${id}`)).json()).job.args).toEqual({ label: 'security' })
  } finally {
    await request.patch('/api/settings', { data: { hideValuesFromViewers: false } })
  }
})

test('an operator can act, and the audit log shows who did it', async ({ browser, request }) => {
  const id = await waitingJob(request)
  const { page, username } = await userPage(browser, request, 'operator')
  await page.goto(`/jobs/${id}`)
  await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0) // deleting is for admins
  await page.getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByRole('heading', { name: new RegExp(`Job ${id}`) })).toContainText('cancelled')
  const jobAudit = page.getByRole('table', { name: 'Audit of this job' })
  await expect(jobAudit).toContainText(username)
  await expect(jobAudit).toContainText('job.cancel')

  await page.getByRole('link', { name: 'Audit' }).click()
  await page.getByLabel('Who').fill(username)
  await page.getByRole('button', { name: 'Filter' }).click()
  const rows = page.getByRole('table', { name: 'Audit log' }).getByRole('row')
  await expect(rows.filter({ hasText: 'admin (admin)' })).toHaveCount(0) // the filtered page has replaced the first one
  const row = rows.filter({ hasText: 'job.cancel' })
  await expect(row).toContainText(String(id))
  await expect(row).toContainText('ok')

  const audit = await (await request.get(`/api/audit?actor=${username}&action=job.cancel`)).json()
  expect(audit.entries).toEqual([expect.objectContaining({ actor: username, role: 'operator', jobIds: [id], outcome: 'ok' })])
  expect(audit.entries[0].source).toBeTruthy()
})

test('a cross-origin POST is refused, and changes nothing', async ({ page, playwright, baseURL, request }) => {
  const id = await waitingJob(request)
  // The admin's own session cookie, but the request says it comes from another site.
  const forged = await playwright.request.newContext({ baseURL, storageState: await page.context().storageState() })
  const response = await forged.post(`/api/jobs/${id}/cancel`, { headers: { origin: 'https://evil.example' }, data: {} })
  expect(response.status()).toBe(403)
  expect((await response.json()).error.code).toBe('cross_origin')
  const noOrigin = await forged.post(`/api/jobs/${id}/cancel`, { data: {} })
  expect((await noOrigin.json()).error.code).toBe('cross_origin')
  await forged.dispose()

  // A page of another site, served from another port, posting with the user's credentials: the
  // browser does not send the SameSite cookie, and the Origin check refuses it anyway.
  const elsewhere = http.createServer((_request, response) => response.end('<h1>Win a prize</h1>')).listen(0, '127.0.0.1')
  await once(elsewhere, 'listening')
  let status: string | undefined
  try {
    await page.goto(`http://localhost:${(elsewhere.address() as AddressInfo).port}/`)
    status = await page.evaluate(async (url) => {
      const response = await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '{}' }).catch(() => undefined)
      return response?.type
    }, `${baseURL}/api/jobs/${id}/cancel`)
  } finally {
    elsewhere.close()
  }
  expect(status).toBe('opaque') // it was sent
  expect((await (await request.get(`/api/jobs/${id}`)).json()).job.status).toBe('todo')
})

test('a one-time password must be changed at the first sign-in', async ({ browser, request }) => {
  const username = `newcomer-${Date.now()}`
  const created = await (await request.post('/api/users', { data: { username, role: 'operator' } })).json()
  expect(created.password).toMatch(/^[\w-]{20}$/)
  const page = await (await browser.newContext({ storageState: noCookies })).newPage()
  await page.goto('/sign-in')
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(created.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/account$/)
  expect((await fetchFromPage(page, '/api/jobs', 'GET')).body.error.code).toBe('password_change_required')
  await page.goto('/jobs') // every page sends them back until they have chosen
  await expect(page).toHaveURL(/\/account$/)
  await page.getByLabel('Current password').fill(created.password)
  await page.getByLabel('New password (12 characters or more)').fill(password)
  await page.getByLabel('New password again').fill(password)
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.getByRole('status')).toContainText('sign in with the new one')
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(/\/sign-in/)
  await page.goto('/')
  await expect(page).toHaveURL(/\/sign-in/)
})

test('after signing in, the browser stays on the console whatever `next` says', async ({ browser, baseURL }) => {
  for (const next of ['/\\evil.example', '/\t/evil.example', '/\n/evil.example', '/\\/evil.example']) {
    const page = await (await browser.newContext({ storageState: noCookies })).newPage()
    await page.goto(`/sign-in?next=${encodeURIComponent(next)}`)
    await page.getByLabel('Username').fill('admin')
    await page.getByLabel('Password').fill(adminPassword)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin)
    await page.context().close()
  }
})

test('a malformed session cookie is no session: 401 from the API, the sign-in page for pages', async ({ playwright, baseURL }) => {
  const context = await playwright.request.newContext({ baseURL, storageState: noCookies, extraHTTPHeaders: { cookie: 'manana_session=%E0%A4%A' } })
  const api = await context.get('/api/jobs')
  expect(api.status()).toBe(401)
  expect((await api.json()).error.code).toBe('unauthenticated')
  const page = await context.get('/jobs', { maxRedirects: 0 })
  expect(page.status()).toBeLessThan(400)
  expect(page.headers()['location'] ?? '').toContain('/sign-in')
  await context.dispose()
})

test('NUL bytes, lone surrogates and __proto__ keys get 400 with a code, never a 500 or a filter that matches everything', async ({ request, playwright, baseURL }) => {
  const refused = [
    await request.post('/api/jobs', { data: { task: 'step', args: JSON.parse('{"__proto__": {"label": "x"}}') } }),
    await request.post('/api/jobs', { data: { task: 'step', args: { label: 'a\u0000b' } } }),
    await request.post('/api/jobs', { headers: { 'content-type': 'application/json' }, data: '{"task": "step", "args": {"label": "\\ud800"}}' }),
    await request.get('/api/jobs?args=__proto__:1'),
    await request.get('/api/jobs?task=%00'),
    await request.post('/api/jobs/bulk', { data: { filter: { args: JSON.parse('{"__proto__": 1}') }, action: 'cancel', dryRun: false } }),
    await request.delete('/api/users/a%00b'),
  ]
  const anonymous = await playwright.request.newContext({ baseURL, storageState: noCookies, extraHTTPHeaders: { origin: baseURL! } })
  refused.push(await anonymous.post('/api/session', { data: { username: 'admin\u0000', password: 'x' } }))
  for (const response of refused) {
    const code = (await response.text().then((text) => JSON.parse(text)).catch(() => undefined))?.error?.code
    expect(`${response.url()} ${response.status()} ${code}`).toBe(`${response.url()} 400 invalid_request`)
  }
  await anonymous.dispose()
})

test('changing one\'s password: the current one is guessed within the sign-in limits and audited; a one-time password cannot be kept', async ({ playwright, baseURL, request }) => {
  const username = `pat-${Date.now()}`
  const created = await (await request.post('/api/users', { data: { username, role: 'viewer' } })).json()
  const context = await playwright.request.newContext({ baseURL, storageState: noCookies, extraHTTPHeaders: { origin: baseURL! } })
  await signIn(context, username, created.password)
  const change = (current: string, password: string) => context.post('/api/session/password', { data: { current, password } })
  const same = await change(created.password, created.password)
  expect(`${same.status()} ${(await same.json()).error.code}`).toBe('422 password_unchanged')
  const codes = []
  for (let i = 0; i < 10; i++) codes.push((await change(`guess number ${i}`, 'a new long password')).status())
  expect(codes).toEqual(Array(10).fill(403))
  const limited = await change(created.password, 'a new long password')
  expect(`${limited.status()} ${(await limited.json()).error.code}`).toBe('429 too_many_attempts')
  const audit = await (await request.get(`/api/audit?action=password.check&limit=50`)).json()
  const mine = audit.entries.filter((entry: { details: { username: string } }) => entry.details.username === username)
  expect(mine.map((entry: { outcome: string }) => entry.outcome)).toEqual(expect.arrayContaining(['invalid_credentials', 'too_many_attempts']))
  await context.dispose()
})

test('the audit and the sign-in limit see the socket address, not what a client writes in X-Forwarded-For', async ({ playwright, baseURL, request }) => {
  const username = `forger-${Date.now()}`
  const forgeries: Array<Record<string, string>> = [{ 'x-forwarded-for': '203.0.113.9' }, { 'x-forwarded-for': '1'.repeat(15_000) }, { 'x-manana-peer': '198.51.100.1' }]
  for (const forged of forgeries) {
    const context = await playwright.request.newContext({ baseURL, storageState: noCookies, extraHTTPHeaders: { origin: baseURL!, ...forged } })
    expect((await context.post('/api/session', { data: { username, password: 'not the password' } })).status()).toBe(401)
    await context.dispose()
  }
  const audit = await (await request.get('/api/audit?action=sign_in&limit=100')).json()
  const sources = audit.entries.filter((entry: { details: { username: string } }) => entry.details.username === username).map((entry: { source: string }) => entry.source)
  expect(sources).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1'])
})

test('a request naming another host is refused: no DNS rebinding onto the console', async ({ baseURL }) => {
  const ask = (path: string, host: string, method = 'GET') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(path, baseURL)
      const request = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, headers: { host, 'content-type': 'application/json' } }, (response) => {
        let body = ''
        response.on('data', (chunk) => (body += chunk))
        response.on('end', () => resolve({ status: response.statusCode!, body }))
      })
      request.on('error', reject)
      request.end(method === 'POST' ? JSON.stringify({ username: 'admin', password: 'x' }) : undefined)
    })
  for (const [path, method] of [['/', 'GET'], ['/api/session', 'POST'], ['/api/health', 'GET']] as const) {
    const refused = await ask(path, 'rebind.example:3100', method)
    expect(`${path} ${refused.status} ${JSON.parse(refused.body).error.code}`).toBe(`${path} 421 host_not_allowed`)
  }
  expect((await ask('/api/health', `localhost:${new URL(baseURL!).port}`)).status).toBe(200)
})

test('an open event stream ends once its credential does: signed out, or token revoked', async ({ playwright, baseURL, request }) => {
  /** Opens /api/events with these headers; resolves with what it received once the server ends it. */
  const openStream = (headers: Record<string, string>) =>
    new Promise<{ opened: Promise<void>; ended: Promise<string> }>((resolveStream, reject) => {
      let opened!: () => void
      const openedPromise = new Promise<void>((resolve) => (opened = resolve))
      const url = new URL('/api/events', baseURL)
      const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, headers }, (response) => {
        expect(response.statusCode).toBe(200)
        let received = ''
        const ended = new Promise<string>((resolve) => response.on('end', () => resolve(received)))
        response.on('data', (chunk) => {
          received += chunk
          opened()
        })
        resolveStream({ opened: openedPromise, ended })
      })
      req.on('error', reject)
    })
  const host = new URL(baseURL!).host

  const username = `streamer-${Date.now()}`
  expect((await request.post('/api/users', { data: { username, role: 'viewer', password } })).status()).toBe(201)
  const browserLike = await playwright.request.newContext({ baseURL, storageState: noCookies, extraHTTPHeaders: { origin: baseURL! } })
  await signIn(browserLike, username, password)
  const cookie = (await browserLike.storageState()).cookies.find((c) => c.name === 'manana_session')!
  const bySession = await openStream({ host, cookie: `manana_session=${cookie.value}` })
  await bySession.opened
  expect((await browserLike.delete('/api/session')).status()).toBe(200)
  expect(await bySession.ended).toContain('event: ended')

  const created = await (await request.post('/api/tokens', { data: { name: `stream-${Date.now()}`, role: 'viewer' } })).json()
  const byToken = await openStream({ host, authorization: `Bearer ${created.token}` })
  await byToken.opened
  expect((await request.delete(`/api/tokens/${created.apiToken.id}`)).status()).toBe(200)
  expect(await byToken.ended).toContain('event: ended')
  await browserLike.dispose()
})

test('refused changes are audited: an actor\'s one by one, anonymous ones counted per source and minute', async ({ playwright, baseURL, request, browser }) => {
  type Entry = { id: number; actor: string; action: string; outcome: string; details: { count?: number; method?: string; path?: string } }
  const refusals = async (): Promise<Entry[]> => (await (await request.get('/api/audit?action=request.refused&limit=200')).json()).entries
  const anonymousCount = (entries: Entry[]) => entries.filter((e) => e.actor === 'anonymous').reduce((sum, e) => sum + e.details.count!, 0)
  const before = await refusals()
  const last = before[0]?.id ?? 0

  const anonymous = await playwright.request.newContext({ baseURL, storageState: noCookies, extraHTTPHeaders: { origin: baseURL! } })
  for (let i = 0; i < 5; i++) expect((await anonymous.post('/api/jobs', { data: { task: 'step' } })).status()).toBe(401)
  const { page, username } = await userPage(browser, request, 'viewer')
  expect((await fetchFromPage(page, '/api/jobs')).status).toBe(403) // forbidden: a viewer defers nothing
  const id = await waitingJob(request)
  const forged = await playwright.request.newContext({ baseURL, storageState: await page.context().storageState() })
  expect((await forged.post(`/api/jobs/${id}/cancel`, { headers: { origin: 'https://evil.example' }, data: {} })).status()).toBe(403)
  expect((await request.post('/api/jobs', { headers: { 'content-type': 'text/plain' }, data: '{"task": "step"}' })).status()).toBe(415)

  const after = await refusals()
  const added = after.filter((e) => e.id > last)
  // This minute's anonymous row may predate the test: count what the rows seen hold now and then.
  const known = new Set(after.map((e) => e.id))
  expect(anonymousCount(after) - anonymousCount(before.filter((e) => known.has(e.id)))).toBe(5)
  expect(added.filter((e) => e.actor === 'anonymous').length).toBeLessThanOrEqual(2) // one row a minute
  expect(added.filter((e) => e.actor === username).map((e) => `${e.outcome} ${e.details.method} ${e.details.path}`)).toEqual([
    `cross_origin POST /api/jobs/${id}/cancel`,
    'forbidden POST /api/jobs',
  ])
  expect(added.some((e) => e.outcome === 'unsupported_media_type')).toBe(true)
  await anonymous.dispose()
  await forged.dispose()
})

test('failed sign-ins are rate-limited', async ({ playwright, baseURL }) => {
  const context = await playwright.request.newContext({ baseURL, storageState: noCookies, extraHTTPHeaders: { origin: baseURL! } })
  const username = `mallory-${Date.now()}`
  const codes = []
  for (let i = 0; i < 11; i++) {
    const response = await context.post('/api/session', { data: { username, password: `guess ${i}` } })
    codes.push(`${response.status()} ${(await response.json()).error.code}`)
  }
  expect(codes.slice(0, 10)).toEqual(Array(10).fill('401 invalid_credentials'))
  expect(codes[10]).toBe('429 too_many_attempts')
  await signIn(context, 'admin', adminPassword) // other users are not locked out
  await context.dispose()
})

test('pages and API answers carry the security headers', async ({ page, request }) => {
  const icon = await page.request.get('/favicon.ico')
  expect(`${icon.status()} ${icon.headers()['content-type']}`).toBe('200 image/x-icon')
  const response = await page.goto('/')
  const headers = response!.headers()
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[\w+/=]+' 'strict-dynamic'/)
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
  expect(headers['x-frame-options']).toBe('DENY')
  expect(headers['x-content-type-options']).toBe('nosniff')
  const api = (await request.get('/api/stats')).headers()
  expect(api['x-frame-options']).toBe('DENY')
  expect(api['x-content-type-options']).toBe('nosniff')
  // No API answer is kept by a browser or a proxy, errors included.
  for (const answer of [await request.get('/api/jobs?limit=1'), await request.get('/api/jobs/999999'), await page.context().request.get('/api/session')]) {
    expect(`${answer.url()} ${answer.headers()['cache-control']}`).toBe(`${answer.url()} no-store`)
  }
  // The session cookie is out of scripts' reach.
  const cookie = (await page.context().cookies()).find((c) => c.name === 'manana_session')
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' })
})

test('bursts of 50 runs, previews, retries and bulk actions at once leave the console answering, with no connection held', async ({ request }) => {
  test.setTimeout(120_000)
  // A job that fails (to retry), and jobs that wait (to cancel in bulk).
  const failing = (await (await request.post('/api/jobs', { data: { task: 'call_flaky_api' } })).json()).id as number
  await expect.poll(async () => (await (await request.get(`/api/jobs/${failing}`)).json()).job.status, { timeout: 30_000 }).toBe('failed')
  for (let i = 0; i < 5; i++) await request.post('/api/jobs', { data: { task: 'step', args: { label: 'burst' }, scheduleIn: 3600 } })

  const burst = (send: () => Promise<APIResponse>) => Promise.all(Array.from({ length: 50 }, send))
  const answers = (
    await Promise.all([
      burst(() => request.post('/api/workflows', { data: { name: 'diamond', input: {} } })),
      burst(() => request.post('/api/workflows/preview', { data: { name: 'diamond', input: {} } })),
      burst(() => request.post(`/api/jobs/${failing}/retry`, { data: {} })),
      burst(() => request.post('/api/jobs/bulk', { data: { filter: { task: 'step', args: { label: 'burst' }, status: ['todo'] }, action: 'cancel', dryRun: false } })),
    ])
  ).flat()
  // Each answered, in JSON: done, refused for what it asked (a job retried already), or "busy" (never a 500).
  const statuses = await Promise.all(answers.map(async (answer) => `${answer.status()} ${answer.ok() ? '' : (await answer.json()).error.code}`.trim()))
  for (const status of statuses) expect(status).toMatch(/^(200|201|409 \w+|503 database_busy)$/)
  expect(statuses.slice(0, 50).filter((status) => status === '201').length).toBeGreaterThan(0)

  const started = Date.now()
  const health = await request.get('/api/health', { timeout: 1_000 })
  expect(health.status()).toBe(200)
  expect(Date.now() - started).toBeLessThan(1_000)

  // No console connection is left inside a transaction, and the runs' jobs are stopped.
  const { databaseUrl } = JSON.parse(fs.readFileSync(serverFile, 'utf8'))
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'manana-console' AND state LIKE 'idle in transaction%'`)
    expect(rows[0].n).toBe(0)
  } finally {
    await db.end()
  }
  const runs = await Promise.all(answers.slice(0, 50).filter((answer) => answer.status() === 201).map(async (answer) => Object.values((await answer.json()).jobs) as number[]))
  expect((await request.post('/api/jobs/bulk', { data: { filter: { ids: runs.flat(), status: ['todo'] }, action: 'cancel', dryRun: false } })).status()).toBe(200)
})

test('a badly encoded path is refused with 400 invalid_request in JSON, on every route', async ({ request }) => {
  for (const [method, path] of [
    ['POST', '/api/queues/%ED%A0%80/pause'],
    ['POST', '/api/queues/%FF/pause'],
    ['GET', '/api/jobs/%ED%A0%80'],
    ['GET', '/api/jobs/%E0%A4%A/timeline'],
    ['GET', '/api/users/%C0%AF'],
  ] as const) {
    const response = await request.fetch(path, { method })
    expect(`${method} ${path} ${response.status()}`).toBe(`${method} ${path} 400`)
    expect((await response.json()).error.code).toBe('invalid_request')
  }
})

test('pausing takes a known queue of a valid name; an unknown one only with force', async ({ request }) => {
  const unknown = await request.post('/api/queues/reprots/pause')
  expect(unknown.status()).toBe(404)
  expect((await unknown.json()).error).toMatchObject({ code: 'unknown_queue', message: expect.stringContaining('force') })
  const long = await request.post(`/api/queues/${'q'.repeat(41)}/pause`, { data: { force: true } })
  expect(long.status()).toBe(422)
  expect((await long.json()).error.code).toBe('invalid_queue')
  const forced = await request.post('/api/queues/e2e-later/pause', { data: { force: true } })
  expect(await forced.json()).toEqual({ queue: 'e2e-later', paused: true, changed: true })
  expect((await request.post('/api/queues/e2e-later/resume')).status()).toBe(200)
  expect((await (await request.get('/api/queues')).json()).queues.map((queue: { queue: string }) => queue.queue)).not.toContain('reprots')
})
