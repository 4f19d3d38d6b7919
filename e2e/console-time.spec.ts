// Time in the console: one way of writing a time, in the browser's zone or UTC, and durations
// that add up.
import type { APIRequestContext } from '@playwright/test'
import fs from 'node:fs'
import pg from 'pg'
import { serverFile } from './admin.ts'
import { expect, test } from './fixtures.ts'

async function defer(request: APIRequestContext, body: unknown) {
  const response = await request.post('/api/jobs', { data: body })
  expect(response.status(), await response.text()).toBe(201)
  return response.json()
}

test.describe('in a browser in New York', () => {
  test.use({ timezoneId: 'America/New_York' })

  test('times are written one way, in the browser’s zone with its name, or in UTC once asked (remembered); exact on hover', async ({ page, request }) => {
    const parent = await defer(request, { task: 'step', args: { label: 'later' }, scheduleIn: 3600 })
    const child = await defer(request, { task: 'step', args: { label: 'child' }, dependsOn: [parent.id] })
    const oneTime = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} E[SD]T/
    await page.goto(`/jobs/${parent.id}`)
    const why = page.getByRole('region', { name: 'Why is this job not running?' })
    const details = page.getByRole('region', { name: 'Details' })
    await expect(why).toContainText(new RegExp(`Scheduled for ${oneTime.source}\\.`))
    await expect(details).toContainText(new RegExp(`Scheduled for ${oneTime.source}`))
    await expect(details.locator('time').first()).toHaveAttribute('title', /E[SD]T \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC\)$/)
    // The server's sentence and the details say the same time.
    const scheduled = (await details.locator('time').first().textContent())!
    await expect(why).toContainText(scheduled)

    await page.getByRole('button', { name: 'UTC' }).click()
    await expect(page.getByRole('button', { name: 'UTC' })).toHaveAttribute('aria-pressed', 'true')
    await expect(details).toContainText(/Scheduled for \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/)
    await expect(why).toContainText(/Scheduled for \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\./)
    await page.reload()
    await expect(details).toContainText(/Scheduled for \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/)
    await page.goto('/audit')
    await expect(page.getByRole('table').getByRole('cell').filter({ hasText: / UTC$/ }).first()).toBeVisible()
    await page.getByRole('button', { name: 'UTC' }).click()
    await expect(page.getByRole('table').getByRole('cell').filter({ hasText: oneTime }).first()).toBeVisible()

    // A job waiting for its parent: its age and its wait are the same time, as it ticks.
    await page.goto(`/jobs/${child.id}`)
    const time = page.getByLabel('Time', { exact: true })
    for (let look = 0; look < 3; look++) {
      await expect(time).toContainText(/^Deferred .+ ago · waited for parents /)
      const [, age, waited] = (await time.textContent())!.match(/^Deferred (.+) ago · waited for parents (.+)$/)!
      expect(waited).toBe(age)
      await page.waitForTimeout(1100)
    }
    for (const id of [child.id, parent.id]) expect((await request.post(`/api/jobs/${id}/cancel`)).status()).toBe(200)
  })
})

test('jobs, workflows, the audit log and tasks take a time range from the URL, and say what they cover; slowest looks among jobs that ran', async ({ page, request }) => {
  const label = `ranged ${Date.now()}`
  const { databaseUrl } = JSON.parse(fs.readFileSync(serverFile, 'utf8'))
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    // One job that ran 1.5 s two hours ago (its events moved back), one now, and queued ones behind them.
    const old = await defer(request, { task: 'step', args: { label, ms: 1500 } })
    const recent = await defer(request, { task: 'step', args: { label, ms: 300 } })
    await expect.poll(async () => (await (await request.get(`/api/jobs?status=succeeded&args=${encodeURIComponent(`label:${label}`)}`)).json()).jobs.length, { timeout: 30_000 }).toBe(2)
    // Moved back with every job deferred before it: ids and deferral times grow together, as
    // the range's search by id needs (the jobs of the tests before this one go back with it).
    await db.query(`UPDATE procrastinate_events SET at = at - interval '2 hours' WHERE job_id <= $1`, [old.id])
    const queued = await defer(request, { workflow: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`q${i}`, i ? { task: 'step', args: { label }, dependsOn: ['q0'] } : { task: 'step', args: { label }, scheduleIn: 3600 }])), name: `ranged ${label}` })
    const filter = `args=${encodeURIComponent(`label:${label}`)}`
    const ids = page.getByRole('table', { name: 'Jobs' }).locator('tbody tr td:nth-child(2)')

    await page.goto(`/jobs?${filter}&range=1h`)
    await expect(page.getByLabel('What the list covers')).toHaveText('Jobs deferred in the last hour, newest first.')
    await expect(ids).toHaveCount(31)
    await expect(ids.last()).toHaveText(String(recent.id))
    await page.getByLabel('Deferred', { exact: true }).selectOption({ label: 'the last 24 h' })
    await expect(page).toHaveURL(/range=24h/)
    await expect(ids).toHaveCount(32)
    // Slowest: among the jobs that ran, though thirty queued ones are newer; what it covers, said.
    await page.getByLabel('Sort').selectOption({ label: 'slowest (of those that ran)' })
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect(page).toHaveURL(/range=24h/)
    await expect(ids).toHaveText([String(old.id), String(recent.id)])
    await expect(page.getByLabel('What the list covers')).toHaveText('The slowest latest attempts of the 2 matching jobs deferred in the last 24 h that ran, one page.')
    await page.getByLabel('Deferred', { exact: true }).selectOption({ label: 'the last hour' })
    await expect(ids).toHaveText([String(recent.id)])

    // From… to…, typed in the browser's zone: the two-hour-old job alone.
    await page.goto(`/jobs?${filter}`)
    await page.getByLabel('Deferred', { exact: true }).selectOption({ label: 'from… to…' })
    const local = (msAgo: number) => { const at = new Date(Date.now() - msAgo); return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16) }
    await page.getByLabel('From', { exact: true }).fill(local(3 * 3_600_000))
    await page.getByLabel('To', { exact: true }).fill(local(3_600_000))
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect(page).toHaveURL(/from=.*&to=/)
    await expect(ids).toHaveText([String(old.id)])
    await expect(page.getByLabel('What the list covers')).toContainText(/^Jobs deferred from \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+ to /)
    // Cancel all matching acts on the range the list shows, not on every matching job.
    await page.goto(`/jobs?${filter}&status=todo&range=15m`)
    await page.getByRole('button', { name: 'Cancel all matching…' }).click()
    await expect(page.getByRole('dialog', { name: 'Confirm action on all matching jobs' })).toContainText('30 job(s) match')
    await page.getByRole('button', { name: 'Back' }).click()

    // Workflows by when they began; the audit log by when things were done.
    await db.query(`UPDATE manana_workflows SET created_at = created_at - interval '3 days' WHERE name = $1`, [`ranged ${label}`])
    await page.goto(`/workflows?name=${encodeURIComponent(`ranged ${label}`)}&range=24h`)
    await expect(page.getByText(`No workflows named ranged ${label}… began in the last 24 h.`)).toBeVisible()
    await page.getByLabel('Began').selectOption({ label: 'the last 7 days' })
    await expect(page.getByRole('table', { name: 'Workflows' }).getByRole('row').filter({ hasText: `ranged ${label}` })).toBeVisible()
    await page.goto('/audit?action=jobs.defer&range=15m')
    await expect(page.getByRole('table', { name: 'Audit log' }).locator('tbody tr').first()).toBeVisible()
    await db.query(`UPDATE manana_audit SET at = at - interval '1 hour' WHERE action = 'jobs.defer' AND at > now() - interval '15 minutes'`)
    await page.reload()
    await expect(page.getByRole('table', { name: 'Audit log' }).locator('tbody tr')).toHaveCount(0)

    // Tasks: figures over the range chosen, in place of the last hour and day.
    await page.goto('/tasks?range=15m')
    await expect(page.getByRole('columnheader', { name: 'In the last 15 min' })).toBeVisible()
    await expect(page.getByRole('row', { name: 'Task step' }).getByLabel('runs, in the last 15 min')).not.toHaveText('0')

    // A range the API cannot read is refused in words.
    for (const bad of ['range=2h', 'range=1h&from=2026-01-01T00:00:00Z', 'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from=yesterday']) {
      const response = await request.get(`/api/jobs?${bad}`)
      expect(response.status(), bad).toBe(400)
      expect((await response.json()).error.code).toBe('invalid_request')
    }
    for (const id of Object.values(queued.ids as Record<string, number>).reverse()) await request.post(`/api/jobs/${id}/cancel`)
  } finally {
    await db.end()
  }
})

test("a task's page charts its runs, failures and run times by the hour or minute, with axes, each bucket opening the runs it counts; the overview's charts have axes too", async ({ page, request }) => {
  const label = `charted ${Date.now()}`
  const { ids } = await defer(request, { workflow: { flaky: { task: 'call_flaky_api', args: { label } }, notify: { task: 'notify_on_failure', dependsOn: ['flaky'] } } })
  await expect.poll(async () => (await (await request.get(`/api/jobs/${ids.notify}`)).json()).job.status, { timeout: 30_000 }).toBe('succeeded')
  await page.goto('/tasks')
  await page.getByRole('row', { name: 'Task call_flaky_api' }).getByRole('link', { name: 'call_flaky_api' }).click()
  await expect(page).toHaveURL(/\/tasks\/call_flaky_api$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Task call_flaky_api')
  await expect(page.getByLabel('Figures')).toContainText(/^In the last 24 h: \d+ run\(s\), [1-9]\d* failed for good/)
  const runs = page.getByRole('group', { name: 'Runs and failures of call_flaky_api by the hour' })
  // Axes: round counts up the side, hours along the bottom, the zone named.
  await expect(runs.locator('text').filter({ hasText: /^0$/ })).toHaveCount(1)
  await expect(runs.locator('text').filter({ hasText: /^(\d{2}-\d{2} )?\d{2}:00$/ }).first()).toBeVisible()
  await expect(runs.locator('text').filter({ hasText: /^(UTC|GMT.*|[A-Z]{3,4})$/ })).toHaveCount(1)
  await expect(page.getByRole('group', { name: 'Run time p50 and p95 of call_flaky_api by the hour' }).locator('text').filter({ hasText: / ms$| s$/ }).first()).toBeVisible()
  // The last hour, by the minute; this minute's bucket opens the runs that ended in it.
  await page.getByLabel('Runs ended').selectOption({ label: 'the last hour' })
  await expect(page).toHaveURL(/range=1h/)
  const byMinute = page.getByRole('group', { name: 'Runs and failures of call_flaky_api by the minute' })
  const busy = byMinute.getByRole('link', { name: /: [1-9]\d* run\(s\), [1-9]\d* failed for good/ }).last()
  await expect(busy).toBeVisible()
  await busy.click()
  await expect(page).toHaveURL(/\/jobs\?task=call_flaky_api&rangeOf=ended&from=.*&to=.*&order=slowest/)
  await expect(page.getByLabel('What the list covers')).toContainText(/matching jobs with an attempt that ended from .* that ran/)
  await expect(page.getByRole('table', { name: 'Jobs' }).getByRole('link', { name: String(ids.flaky) })).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('task-runs-from-chart.png'), fullPage: true })
  // The overview's charts: a time axis and a value axis.
  await page.goto('/')
  const finished = page.getByRole('group', { name: 'Jobs succeeded and failed per minute over the last hour' })
  await expect(finished.locator('text').filter({ hasText: /^\d{2}:\d{2}$/ }).first()).toBeVisible()
  await expect(finished.locator('text').filter({ hasText: /^0$/ })).toHaveCount(1)
})

test("a definition's runs grid: a row per step, a column per run, each cell its job's status and run time, opening the job", async ({ page, request }) => {
  const runs: Array<{ workflowId: number; jobs: Record<string, number> }> = []
  for (let run = 0; run < 2; run++) {
    const response = await request.post('/api/workflows', { data: { name: 'diamond', input: {} } })
    expect(response.status(), await response.text()).toBe(201)
    runs.push(await response.json())
  }
  for (const run of runs) {
    await expect.poll(async () => (await (await request.get(`/api/jobs/${run.jobs.bottom}`)).json()).job.status, { timeout: 30_000 }).toBe('succeeded')
  }
  await page.goto('/workflows')
  await page.getByRole('link', { name: 'Runs grid of diamond' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Workflow diamond: its last runs')
  const grid = page.getByRole('table', { name: 'Runs of diamond by step' })
  await expect(grid.getByRole('rowheader')).toHaveText(['top (step)', 'left (step)', 'right (step)', 'bottom (step)'])
  const newest = grid.getByRole('link', { name: /^bottom, run \d+: succeeded, ran \d/ }).last()
  await expect(newest).toBeVisible()
  expect(await grid.getByRole('columnheader').count()).toBeGreaterThanOrEqual(3) // the step column and a column per run, both runs at least
  await expect(grid.getByRole('link', { name: `Run ${runs[1]!.workflowId}: succeeded, its graph` })).toHaveAttribute('href', /\/jobs\/\d+\/graph$/)
  await newest.click()
  await expect(page).toHaveURL(new RegExp(`/jobs/${runs[1]!.jobs.bottom}$`))
  await page.goto('/workflows/definitions/diamond')
  await page.screenshot({ path: test.info().outputPath('runs-grid.png'), fullPage: true })
  const missing = await request.get('/api/workflows/definitions/no_such_definition/runs')
  expect(missing.status()).toBe(404)
  expect((await missing.json()).error.code).toBe('workflow_definition_not_found')
})
