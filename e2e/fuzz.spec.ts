// Hostile input on every API route: malformed, mistyped, oversized, deeply nested or injected
// requests are answered with a 4xx and a JSON error code, the server stays up, and nothing in
// the database changes (row counts, and a checksum of the jobs and their edges).
import fs from 'node:fs'
import fc from 'fast-check'
import pg from 'pg'
import { serverFile } from './admin.ts'
import { expect, test } from './fixtures.ts'

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

/** Every route that takes input, and what it takes. */
const routes: Array<{ method: Method; path: (id: string) => string; body: boolean }> = [
  { method: 'GET', path: () => '/api/jobs', body: false },
  { method: 'POST', path: () => '/api/jobs', body: true },
  { method: 'POST', path: () => '/api/jobs/bulk', body: true },
  { method: 'GET', path: (id) => `/api/jobs/${id}`, body: false },
  { method: 'DELETE', path: (id) => `/api/jobs/${id}`, body: false },
  { method: 'POST', path: (id) => `/api/jobs/${id}/cancel`, body: false },
  { method: 'POST', path: (id) => `/api/jobs/${id}/abort`, body: false },
  { method: 'POST', path: (id) => `/api/jobs/${id}/retry`, body: true },
  { method: 'GET', path: (id) => `/api/jobs/${id}/retry-preview`, body: false },
  { method: 'GET', path: (id) => `/api/jobs/${id}/graph`, body: false },
  { method: 'GET', path: (id) => `/api/jobs/${id}/timeline`, body: false },
  { method: 'GET', path: () => '/api/workflows', body: false },
  { method: 'GET', path: () => '/api/audit', body: false },
  { method: 'POST', path: () => '/api/session', body: true },
  { method: 'POST', path: () => '/api/session/password', body: true },
  { method: 'POST', path: () => '/api/users', body: true },
  { method: 'PATCH', path: (id) => `/api/users/${id}`, body: true },
  { method: 'DELETE', path: (id) => `/api/users/${id}`, body: false },
  { method: 'POST', path: () => '/api/tokens', body: true },
  { method: 'DELETE', path: (id) => `/api/tokens/${id}`, body: false },
  { method: 'PATCH', path: () => '/api/settings', body: true },
]

const sqlish = fc.constantFrom(`' OR 1=1 --`, `"; DROP TABLE procrastinate_jobs; --`, `\\'); DELETE FROM manana_users; --`, `$$; SELECT pg_sleep(5); $$`, `%00`, `../../etc/passwd`)

/** An id in a path that names nothing: not a number, negative, too large, or injected. */
const badId = fc.oneof(
  fc.constantFrom('0', '-1', '1.5', '1e400', '99999999999999999999999', 'NaN', 'null', '%27%20OR%201%3D1'),
  sqlish.map(encodeURIComponent),
  fc
    .string({ minLength: 1, maxLength: 20 })
    // Not an id, and not . or .. either: the URL would name another route (/api/jobs/. is /api/jobs/).
    .filter((text) => !/^[1-9][0-9]*$/.test(text) && text !== '.' && text !== '..')
    .map(encodeURIComponent),
)

const deep = fc.integer({ min: 50, max: 2000 }).map((depth) => '{"args":'.repeat(depth) + '{}' + '}'.repeat(depth))

/** A body no route accepts: not JSON, not an object, mistyped, unknown fields, too deep, too large. */
const badBody = fc.oneof(
  fc.constantFrom('{', '{"task":', 'nul', '[1,2', '{"a":1}}', '\u0000', 'undefined'),
  fc.jsonValue({ maxDepth: 2 }).filter((value) => value === null || typeof value !== 'object' || Array.isArray(value)).map((value) => JSON.stringify(value) ?? 'null'),
  fc.record({ task: fc.oneof(fc.integer(), fc.constant(''), fc.string({ minLength: 129, maxLength: 200 })), args: fc.oneof(fc.integer(), fc.array(fc.integer()), fc.string()) }).map((value) => JSON.stringify(value)),
  fc.record({ unknownField: sqlish, role: sqlish, dependsOn: fc.array(sqlish, { maxLength: 3 }) }).map((value) => JSON.stringify(value)),
  fc.record({ workflow: fc.oneof(fc.constant({}), fc.array(fc.integer()), fc.dictionary(sqlish, fc.integer(), { minKeys: 1, maxKeys: 3 })) }).map((value) => JSON.stringify(value)),
  fc.record({ filter: fc.record({ args: fc.dictionary(fc.string(), fc.integer(), { minKeys: 21, maxKeys: 30 }) }), action: fc.constant('cancel'), dryRun: fc.constant(false) }).map((value) => JSON.stringify(value)),
  deep,
)

/** A query string no list route accepts. */
const badQuery = fc.oneof(
  fc.constantFrom('limit=0', 'limit=-5', 'limit=100000', 'limit=abc', 'after=-1', 'after=1e999', 'status=sleeping', 'status=todo,DROP', 'id=abc', 'jobId=-1'),
  fc.constantFrom('args=no-colon', `args=${encodeURIComponent(Array.from({ length: 25 }, (_, i) => `k${i}:1`).join(','))}`),
)

interface Snapshot {
  counts: Record<string, number>
  jobs: string
  successfulActions: number
}

async function snapshot(db: pg.Client): Promise<Snapshot> {
  const tables = ['procrastinate_jobs', 'procrastinate_job_dependencies', 'procrastinate_events', 'manana_workflows', 'manana_users', 'manana_sessions', 'manana_api_tokens', 'manana_settings']
  const counts: Record<string, number> = {}
  for (const table of tables) counts[table] = (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n
  const { rows } = await db.query(
    `SELECT md5(coalesce(string_agg(md5(j::text), '' ORDER BY j.id), '')) AS sum FROM procrastinate_jobs AS j`,
  )
  const audit = await db.query(`SELECT count(*)::int AS n FROM manana_audit WHERE outcome = 'ok'`)
  return { counts, jobs: rows[0].sum, successfulActions: audit.rows[0].n }
}

/** Waits until the worker has nothing left to do, so that only the requests could change rows. */
async function quiet(db: pg.Client) {
  await expect
    .poll(async () => (await db.query(
      `SELECT count(*)::int AS n FROM procrastinate_jobs
       WHERE status IN ('doing', 'aborting') OR (status = 'todo' AND unfinished_parents = 0 AND (scheduled_at IS NULL OR scheduled_at < now() + interval '10 minutes'))`,
    )).rows[0].n, { timeout: 60_000 })
    .toBe(0)
}

test('1,000 hostile requests across every route: a 4xx with a JSON code each, the server up, the database unchanged', async ({ request }) => {
  test.setTimeout(300_000)
  const { databaseUrl } = JSON.parse(fs.readFileSync(serverFile, 'utf8'))
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    await quiet(db)
    const before = await snapshot(db)
    let sent = 0
    // Each request is wrong in at least one way: its id, its body, or its query.
    const takesId = routes.filter((route) => route.path('ID').includes('ID'))
    const takesQuery = routes.filter((route) => route.method === 'GET')
    const requestFor = fc.oneof(
      fc.record({ route: fc.constantFrom(...takesId), id: badId, body: fc.option(badBody, { nil: undefined }), query: fc.constant('') }),
      fc.record({ route: fc.constantFrom(...routes.filter((route) => route.body)), id: badId, body: badBody, query: fc.constant('') }),
      fc.record({ route: fc.constantFrom(...takesQuery), id: badId, body: fc.constant(undefined), query: badQuery }),
    )
    await fc.assert(
      fc.asyncProperty(requestFor, async ({ route, id, body, query }) => {
        sent++
        const url = route.path(id) + (query ? `?${query}` : '')
        const response = await request.fetch(url, {
          method: route.method,
          headers: { 'content-type': 'application/json' },
          data: body === undefined || route.method === 'GET' ? undefined : body,
        })
        const status = response.status()
        const text = await response.text()
        // A well-formed request about a job that does not exist is a 404, also a 4xx.
        expect(status, `${route.method} ${url} ${body?.slice(0, 80)} → ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400)
        expect(status, `${route.method} ${url} → ${text.slice(0, 200)}`).toBeLessThan(500)
        const parsed = JSON.parse(text)
        expect(typeof parsed.error.code).toBe('string')
        expect(typeof parsed.error.message).toBe('string')
      }),
      { numRuns: 1000 },
    )
    // Bodies over the limit are refused before they are read.
    for (const [path, size] of [['/api/jobs/bulk', 2 * 1024 * 1024], ['/api/jobs', 17 * 1024 * 1024]] as const) {
      const response = await request.post(path, { headers: { 'content-type': 'application/json' }, data: `{"task":"${'x'.repeat(size)}"}` })
      expect(response.status()).toBe(413)
      expect((await response.json()).error.code).toBe('payload_too_large')
      sent++
    }
    expect(sent).toBeGreaterThanOrEqual(1000)
    expect((await request.get('/api/health')).ok()).toBe(true)
    expect(await snapshot(db)).toEqual(before)
  } finally {
    await db.end()
  }
})

test('filter values with quotes and SQL in them are only values', async ({ request }) => {
  const marker = `it's "quoted" -- ; DROP TABLE procrastinate_jobs; ' OR '1'='1`
  const created = await request.post('/api/jobs', { data: { task: 'step', args: { label: marker }, scheduleIn: 3600 } })
  expect(created.status()).toBe(201)
  const { id } = await created.json()
  const find = async (search: string) => {
    const response = await request.get(`/api/jobs?${search}`)
    expect(response.status(), await response.text()).toBe(200)
    return ((await response.json()).jobs as Array<{ id: number }>).map((job) => job.id)
  }
  expect(await find(`args=${encodeURIComponent(`label:${JSON.stringify(marker)}`)}`)).toEqual([id])
  await fc.assert(
    fc.asyncProperty(sqlish, fc.constantFrom('task', 'queue', 'lock'), async (value, field) => {
      expect(await find(`${field}=${encodeURIComponent(value)}`)).toEqual([])
      expect(await find(`args=${encodeURIComponent(`label:${value}`)}`)).toEqual([])
    }),
    { numRuns: 50 },
  )
  expect((await request.get(`/api/jobs/${id}`)).ok()).toBe(true)
})
