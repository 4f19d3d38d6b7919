// Scenario 6 of `npm run bench`: the console at scale. On the database given, 1,000,000 jobs in
// 10,000 workflows (one of 10,000 jobs, one of 5,000, one of 2,000, the rest of 98; 3,294 jobs on
// their own), with their events; then the console's production build serves it, and we time its
// API (p50 and p95 of sequential requests, as one operator's browser makes them: lists, lists of
// a time range, a job, a 2,000-job graph, a 10,000-job timeline, the overview, the Tasks page) and, in Chromium, how long
// a 5,000-job and a 10,000-job graph take to be drawn and to answer a drag, a 10,000-job timeline
// to be drawn, and the frames dropped while dragging a 10,000-job graph near and from afar. A graph or
// timeline is timed cold (each request asks for another job of the workflow: the server computes
// it) and cached (the same job again: the server has it, and sends it).
// Usage: tsx bench/systems/console.ts DATABASE_URL
import { chromium, type Page } from '@playwright/test'
import fs from 'node:fs'
import type pg from 'pg'
import { createClient, createPool } from '../../lib/db/pool.ts'
import { sessionCookie } from '../../lib/api/auth.ts'
import { createToken } from '../../lib/auth/api-tokens.ts'
import { generatePassword } from '../../lib/auth/secrets.ts'
import { startSession } from '../../lib/auth/sessions.ts'
import { addUser } from '../../lib/auth/users.ts'
import { getOverview } from '../../lib/console/overview.ts'
import { fromPg } from '../../lib/queue/queryable.ts'
import { startConsole } from '../../worker/console-server.ts'
import { now, report } from '../meter.ts'

const [databaseUrl] = process.argv.slice(2)
if (!databaseUrl) throw new Error('usage: console.ts DATABASE_URL')
const port = Number(process.env.BENCH_CONSOLE_PORT ?? 3390)
const samples = 100

const sizes = { jobs: 1_000_000, workflows: 10_000, huge: 10_000, big: 5_000, medium: 2_000, small: 98 }

/**
 * Workflows as trees (node n's parent is node (n - 1) / 2), finished: one job in 50 failed, the
 * rest succeeded, each with the events a worker would have written. The jobs on their own wait,
 * scheduled for tomorrow.
 */
async function seed(client: pg.Client): Promise<{ huge: number; big: number; medium: number }> {
  const smallCount = sizes.workflows - 3
  const alone = sizes.jobs - sizes.huge - sizes.big - sizes.medium - smallCount * sizes.small
  // Bulk load of rows consistent by construction, as pg_restore does it: no triggers and no
  // foreign-key checks (3,000,000 events). Every workflow job is finished, so no child waits
  // on a counter the triggers would have kept.
  await client.query(`SET session_replication_role = replica`)
  await client.query(`INSERT INTO manana_workflows (name, root_task_name) SELECT 'workflow ' || n, 'extract' FROM generate_series(1, $1) AS n`, [sizes.workflows])
  // (workflow, node, size) for every workflow job, numbered in id order.
  await client.query(`
    CREATE TEMPORARY TABLE shape AS
    SELECT w.id AS workflow_id, node, size
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM manana_workflows) AS w
    CROSS JOIN LATERAL (SELECT CASE w.n WHEN 1 THEN $1::int WHEN 2 THEN $2::int WHEN 3 THEN $3::int ELSE $4::int END AS size) AS s
    CROSS JOIN LATERAL generate_series(0, s.size - 1) AS node`, [sizes.huge, sizes.big, sizes.medium, sizes.small])
  await client.query(`
    INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, attempts, result, workflow_id)
    SELECT CASE WHEN node % 3 = 0 THEN 'io' ELSE 'default' END,
           (ARRAY['extract', 'transform', 'load', 'report'])[node % 4 + 1],
           jsonb_build_object('node', node, 'customer_id', workflow_id % 997),
           CASE WHEN (workflow_id * 31 + node) % 50 = 0 THEN 'failed' ELSE 'succeeded' END::procrastinate_job_status,
           1, CASE WHEN (workflow_id * 31 + node) % 50 = 0 THEN NULL ELSE jsonb_build_object('rows', node * 10) END,
           workflow_id
    FROM shape ORDER BY workflow_id, node`)
  await client.query(`
    CREATE TEMPORARY TABLE placed AS
    SELECT job.id, job.workflow_id, row_number() OVER (PARTITION BY job.workflow_id ORDER BY job.id) - 1 AS node
    FROM procrastinate_jobs AS job WHERE job.workflow_id IS NOT NULL`)
  await client.query('CREATE INDEX ON placed (workflow_id, node)')
  await client.query(`
    INSERT INTO procrastinate_job_dependencies (job_id, depends_on_job_id)
    SELECT child.id, parent.id FROM placed AS child
    JOIN placed AS parent ON parent.workflow_id = child.workflow_id AND parent.node = (child.node - 1) / 2
    WHERE child.node > 0`)
  await client.query(`
    INSERT INTO procrastinate_events (job_id, type, at, starting_worker_id)
    SELECT job.id, type.name::procrastinate_job_event_type,
           now() - interval '2 hours' + type.offset_ms * interval '1 millisecond' + job.id * interval '5 milliseconds'
           -- At any microsecond, as a worker's are (whole milliseconds made times short in JSON).
           + ((job.id * 7919 + type.offset_ms * 31) % 1000) * interval '1 microsecond', NULL
    FROM procrastinate_jobs AS job
    CROSS JOIN LATERAL (VALUES ('deferred', 0), ('started', 10), (job.status::text, 20)) AS type (name, offset_ms)
    ORDER BY job.id`)
  // Each failed job's error, as its worker would have recorded it.
  await client.query(`
    INSERT INTO manana_job_errors (job_id, attempt, at, message)
    SELECT job.id, 1, now() - interval '2 hours' + job.id * interval '5 milliseconds' + interval '20 milliseconds', 'failed on node ' || (job.args->>'node')
    FROM procrastinate_jobs AS job WHERE job.status = 'failed'`)
  // A thousand of the small workflows are runs of one definition, their jobs its steps: the runs grid.
  await client.query(`UPDATE manana_workflows SET name = 'nightly' WHERE id IN (SELECT id FROM manana_workflows ORDER BY id OFFSET 3 LIMIT 1000)`)
  await client.query(`
    UPDATE procrastinate_jobs AS job SET step_key = 'step_' || (job.args->>'node')
    FROM manana_workflows AS workflow WHERE workflow.id = job.workflow_id AND workflow.name = 'nightly'`)
  await client.query(`RESET session_replication_role`)
  // The Tasks page's counts as a busy week leaves them: 8 connections ending jobs of each task
  // in 4 run time classes every minute of the last two hours, hourly rows before.
  await client.query(`
    INSERT INTO manana_task_runs (minute, task_name, backend, duration_class, runs, failures)
    SELECT date_trunc('minute', now()) - make_interval(mins => m), task, backend, class, 5 + (m + backend + class) % 7, ((m + class) % 50 = 0)::int
    FROM generate_series(0, 119) AS m, unnest(ARRAY['extract', 'transform', 'load', 'report']) AS task,
         generate_series(1, 8) AS backend, generate_series(14, 17) AS class`)
  await client.query(`
    INSERT INTO manana_task_runs (minute, task_name, backend, duration_class, runs, failures)
    SELECT date_trunc('hour', now()) - make_interval(hours => h), task, 0, class, 2000, 40
    FROM generate_series(2, 24 * 8) AS h, unnest(ARRAY['extract', 'transform', 'load', 'report']) AS task, generate_series(14, 17) AS class`)
  await client.query(`
    INSERT INTO procrastinate_jobs (queue_name, task_name, args, scheduled_at)
    SELECT 'default', 'cleanup', jsonb_build_object('n', n), now() + interval '1 day' FROM generate_series(1, $1) AS n`, [alone])
  await client.query('VACUUM ANALYZE')
  const [roots] = (await client.query(`
    SELECT (SELECT min(id) FROM procrastinate_jobs WHERE workflow_id = w.ids[1]) AS huge,
           (SELECT min(id) FROM procrastinate_jobs WHERE workflow_id = w.ids[2]) AS big,
           (SELECT min(id) FROM procrastinate_jobs WHERE workflow_id = w.ids[3]) AS medium
    FROM (SELECT array_agg(id ORDER BY id) AS ids FROM manana_workflows) AS w`)).rows
  return { huge: Number(roots.huge), big: Number(roots.big), medium: Number(roots.medium) }
}

/** The time `minutes` ago, for a range's edge in a URL. */
const ago = (minutes: number) => encodeURIComponent(new Date(Date.now() - minutes * 60_000).toISOString())
const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

/** p50 and p95 of `samples` sequential requests (after 5 unmeasured), each path from `paths(i)`. */
async function timeApi(token: string, paths: (i: number) => string): Promise<{ p50: number; p95: number }> {
  const times: number[] = []
  for (let i = -5; i < samples; i++) {
    const started = now()
    const response = await fetch(`http://127.0.0.1:${port}${paths(i)}`, { headers: { authorization: `Bearer ${token}` } })
    await response.arrayBuffer()
    if (!response.ok) throw new Error(`${paths(i)}: HTTP ${response.status}`)
    if (i >= 0) times.push(now() - started)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) }
}

/**
 * Milliseconds from navigation to `path` until `ready` says the page is drawn (and usable), in
 * fresh browser contexts, after one unmeasured load that warms the server's caches.
 */
async function timeDrawn(session: string, path: string, ready: (page: Page) => Promise<void>): Promise<number[]> {
  const executablePath = process.env.CHROMIUM_PATH ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)
  const browser = await chromium.launch({ executablePath })
  try {
    const times: number[] = []
    for (let run = 0; run < 4; run++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
      await context.addCookies([{ name: sessionCookie, value: session, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax' }])
      const page = await context.newPage()
      const started = now()
      await page.goto(`http://127.0.0.1:${port}${path}`)
      await ready(page)
      if (run > 0) times.push(now() - started)
      await context.close()
    }
    return times.sort((a, b) => a - b)
  } finally {
    await browser.close()
  }
}

/** The graph of `size` jobs shows its root, then a drag moves it. */
async function graphReady(page: Page, root: number, size: number): Promise<void> {
  await page.getByRole('heading', { name: new RegExp(`· ${size} jobs`) }).waitFor()
  await page.getByTestId(`node-${root}`).waitFor()
  const viewport = page.locator('.react-flow__viewport')
  const before = await viewport.getAttribute('style')
  const box = (await page.getByLabel('Workflow graph').boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 2 - 200, box.y + box.height / 2 - 100, { steps: 5 })
  await page.mouse.up()
  if ((await viewport.getAttribute('style')) === before) throw new Error('the graph did not pan')
}

/**
 * Frame times (ms between animation frames, p50 and p95) while the 10,000-job graph is dragged
 * across the screen, near (nodes as elements) and from afar (painted on a canvas).
 */
async function graphFrames(session: string, root: number): Promise<Record<string, number>> {
  const executablePath = process.env.CHROMIUM_PATH ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)
  const browser = await chromium.launch({ executablePath })
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } })
    await context.addCookies([{ name: sessionCookie, value: session, domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Lax' }])
    const page = await context.newPage()
    await page.goto(`http://127.0.0.1:${port}/jobs/${root}/graph`)
    await page.getByTestId(`node-${root}`).waitFor()
    const figures: Record<string, number> = {}
    for (const distance of ['near', 'far'] as const) {
      if (distance === 'far') {
        const zoomOut = page.getByRole('button', { name: 'Zoom Out' })
        for (let i = 0; i < 12 && (await zoomOut.isEnabled()); i++) await zoomOut.click()
        await page.getByTestId('graph-overview').waitFor()
      }
      // As text: tsx would wrap a function's inner functions in a helper the page does not have.
      await page.evaluate(`(() => {
        const frames = (window.benchFrames = [])
        const tick = (at) => { frames.push(at); if (frames.length < 400) requestAnimationFrame(tick) }
        requestAnimationFrame(tick)
      })()`)
      const box = (await page.getByLabel('Workflow graph').boundingBox())!
      for (let sweep = 0; sweep < 3; sweep++) {
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
        await page.mouse.down()
        await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2 - 150, { steps: 40 })
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 40 })
        await page.mouse.up()
      }
      const stamps = (await page.evaluate('window.benchFrames')) as number[]
      // A frame is dropped where the gap between two is more than one and a half 60 Hz frames
      // (their timestamps jitter by a tenth of a millisecond around 16.7).
      const gaps = stamps.slice(1).map((at, i) => at - stamps[i]!)
      figures[`graph10000${distance === 'near' ? 'Near' : 'Far'}DroppedPct`] = (100 * gaps.filter((gap) => gap > 1.5 * (1000 / 60)).length) / gaps.length
    }
    await context.close()
    return figures
  } finally {
    await browser.close()
  }
}

/** The 10,000-job timeline shows its first bar and its critical path. */
async function timelineReady(page: Page, root: number): Promise<void> {
  await page.getByTestId(`bar-${root}`).waitFor()
  await page.getByLabel('Critical path').waitFor()
}

const client = createClient({ connectionString: databaseUrl })
await client.connect()
const seedStarted = now()
const roots = await seed(client)
const seedSeconds = (now() - seedStarted) / 1000
const pool = createPool(databaseUrl, { max: 2 })
const db = fromPg(pool)
await addUser(db, { username: 'bench', role: 'admin', password: generatePassword() })
const { token } = await createToken(db, { name: 'bench', role: 'operator', createdBy: 'bench' }) // operator: the audit log too
const userId = Number((await client.query(`SELECT id FROM manana_users WHERE username = 'bench'`)).rows[0].id)
const session = (await startSession(db, userId)).token
const [{ max: newest }] = (await client.query('SELECT max(id)::int AS max FROM procrastinate_jobs')).rows
const deep = Math.floor(newest / 2)

const server = await startConsole({ databaseUrl, port, host: '127.0.0.1', log: (line) => console.error(line) })
try {
  const figures: Record<string, number> = { seedSeconds }
  const endpoints: Array<[string, (i: number) => string]> = [
    ['listFirst', () => '/api/jobs'],
    ['listDeep', () => `/api/jobs?after=${deep}`],
    ['listFilteredFirst', () => '/api/jobs?status=failed&task=load'],
    ['listFilteredDeep', () => `/api/jobs?status=failed&task=load&after=${deep}`],
    ['detail', (i) => `/api/jobs/${1 + ((i + 5) * 9973) % newest}`],
    // Cold: another job of the workflow each time (the server keeps views by job); cached: the same.
    ['graph2000Cold', (i) => `/api/jobs/${roots.medium + 5 + i}/graph`],
    ['graph2000Cached', () => `/api/jobs/${roots.medium}/graph`],
    ['timeline10000Cold', (i) => `/api/jobs/${roots.huge + 5 + i}/timeline`],
    ['timeline10000Cached', () => `/api/jobs/${roots.huge}/timeline`],
    // Time ranges (jobs deferred from 2 h to 37 min ago, 5 ms apart; 3,294 just now).
    ['listRange1h', () => '/api/jobs?range=1h'],
    ['listRangeWindow', (i) => `/api/jobs?from=${ago(100 - (i % 30))}&to=${ago(70 - (i % 30))}`],
    ['listRangeWindowDeep', (i) => `/api/jobs?from=${ago(100 - (i % 30))}&to=${ago(70 - (i % 30))}&order=oldest&after=${deep}`],
    ['listRangeSlowest', (i) => `/api/jobs?from=${ago(100 - (i % 30))}&to=${ago(99 - (i % 30))}&order=slowest`],
    ['workflowsRange', () => '/api/workflows?range=1h'],
    ['runsGrid', () => '/api/workflows/definitions/nightly/runs?runs=25'], // of 1,000 runs of 98 steps
    ['auditRange', () => '/api/audit?range=24h'],
    ['tasksRange', () => '/api/tasks/activity?range=7d'],
    ['overview', () => '/api/stats'],
    ['tasks', () => '/api/tasks/activity'],
  ]
  for (const [name, paths] of endpoints) {
    const { p50, p95 } = await timeApi(token, paths)
    figures[`${name}P50`] = p50
    figures[`${name}P95`] = p95
    console.error(`${name}: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`)
  }
  // What one computation of the overview costs (the server shares one between requests).
  const computeTimes: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = now()
    await getOverview({ db })
    computeTimes.push(now() - started)
  }
  figures.overviewComputeMs = computeTimes.sort((a, b) => a - b)[2]!
  for (const [name, root, size] of [['graph5000Ms', roots.big, sizes.big], ['graph10000Ms', roots.huge, sizes.huge]] as const) {
    const times = await timeDrawn(session, `/jobs/${root}/graph`, (page) => graphReady(page, root, size))
    figures[name] = times[Math.floor(times.length / 2)]!
  }
  const timelineTimes = await timeDrawn(session, `/jobs/${roots.huge}/graph?view=timeline`, (page) => timelineReady(page, roots.huge))
  figures.timeline10000Ms = timelineTimes[Math.floor(timelineTimes.length / 2)]!
  Object.assign(figures, await graphFrames(session, roots.huge))
  const tasksTimes = await timeDrawn(session, '/tasks', (page) => page.getByRole('row', { name: 'Task load' }).waitFor())
  figures.tasksPageMs = tasksTimes[Math.floor(tasksTimes.length / 2)]!
  report(figures)
} finally {
  server.kill('SIGTERM')
  await pool.end()
  await client.end()
}
