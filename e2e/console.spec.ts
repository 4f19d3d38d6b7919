// The console as an operator uses it: a real browser, console, worker and database.
import type { APIRequestContext, Page } from '@playwright/test'
import { expect, test } from './fixtures.ts'
import AxeBuilder from '@axe-core/playwright'
import fs from 'node:fs'
import pg from 'pg'
import { serverFile } from './admin.ts'

async function defer(request: APIRequestContext, body: unknown) {
  const response = await request.post('/api/jobs', { data: body })
  expect(response.status(), await response.text()).toBe(201)
  return response.json()
}

const node = (page: Page, id: number) => page.getByTestId(`node-${id}`)

test('the graph turns green live, without a reload', async ({ page, request }) => {
  const { ids } = await defer(request, {
    workflow: {
      download: { task: 'download_data', args: { url: 'https://example.com/e2e.csv' } },
      process: { task: 'process_data', dependsOn: ['download'] },
      report: { task: 'generate_report', dependsOn: ['process'] },
    },
  })
  await page.goto(`/jobs/${ids.download}/graph`)
  await expect(page.getByRole('heading', { name: /Workflow \d+ · 3 jobs/ })).toBeVisible()
  // The jobs end (the worker), then the page shows it (live updates): a failure says which did not.
  const statusOf = async (id: number) => (await (await request.get(`/api/jobs/${id}`)).json()).job.status
  for (const id of Object.values(ids) as number[]) await expect.poll(() => statusOf(id), { message: `job ${id} in the database`, timeout: 20_000 }).toBe('succeeded')
  for (const id of Object.values(ids) as number[]) {
    await expect(node(page, id), `job ${id} on the page, succeeded in the database`).toHaveAttribute('data-status', 'succeeded')
  }
  await page.screenshot({ path: test.info().outputPath('graph.png') })
})

test('the timeline shows where the time went: the pipeline\'s critical path is download → process → report; a bar selects its job', async ({ page, request }) => {
  const { ids } = await defer(request, {
    workflow: {
      download: { task: 'download_data', args: { url: 'https://example.com/timeline.csv' } },
      process: { task: 'process_data', dependsOn: ['download'] },
      report: { task: 'generate_report', dependsOn: ['process'] },
      side: { task: 'notify_on_failure', dependsOn: ['download'] }, // a quick branch, off the path
    },
    name: 'timeline check',
  })
  await page.goto(`/jobs/${ids.download}/graph`)
  await page.getByRole('button', { name: 'Timeline' }).click()
  await expect(page).toHaveURL(/view=timeline/)
  const path = page.getByLabel('Critical path', { exact: true })
  // Live: the path grows as the workflow runs, and ends at the report once it finished.
  // Named by their steps (the workflow's keys).
  await expect(path).toContainText(/download .* → process .* → report/, { timeout: 30_000 })
  await expect(page.getByText(/^took /)).toBeVisible()
  for (const key of ['download', 'process', 'report'] as const) await expect(page.getByTestId(`bar-${ids[key]}`)).toHaveAttribute('data-critical', 'true')
  await expect(page.getByTestId(`bar-${ids.side}`)).not.toHaveAttribute('data-critical')
  await expect(page.getByTestId(`bar-${ids.process}`)).toHaveAttribute('aria-label', /^Job \d+ process \(process_data\), succeeded: waited for parents .*, ran .*; on the critical path/)
  await page.getByTestId(`bar-${ids.report}`).click()
  await expect(page.getByRole('complementary', { name: 'Selected job' })).toContainText(`Job ${ids.report} report (generate_report)`)
  await page.getByRole('button', { name: 'Zoom in' }).click()
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`timeline-${scheme}.png`) })
  }
  // The same times on the job's page and in the jobs list.
  await page.goto(`/jobs/${ids.process}`)
  await expect(page.getByLabel('Time', { exact: true })).toContainText(/^Deferred at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+ · waited for parents \d.*, queued .*, ran .* · ended after /)
  await expect(page.getByLabel('Time', { exact: true }).locator('time')).toHaveAttribute('title', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/)
  await page.goto(`/jobs?id=${ids.report}`)
  const row = page.getByRole('table', { name: 'Jobs' }).locator('tbody tr')
  await expect(row).toContainText(/generate_report\s*reports\s*.* ago\s*\d+(\.\d)? m?s/)
  await page.screenshot({ path: test.info().outputPath('jobs-with-times.png') })
  // And the workflow by its name, with its outcome and how long it took.
  await page.goto('/workflows')
  await page.getByLabel('Name starts with').fill('timeline ch')
  await page.getByRole('button', { name: 'Filter' }).click()
  const workflows = page.getByRole('table', { name: 'Workflows' }).locator('tbody tr')
  await expect(workflows).toHaveCount(1)
  await expect(workflows).toContainText(/timeline check\s*succeeded\s*.* ago\s*\d+(\.\d)? s/)
  await page.screenshot({ path: test.info().outputPath('workflows.png') })
})

test('a failing branch is red, its child still runs and says so; retry with downstream re-runs both', async ({ page, request }) => {
  const { ids } = await defer(request, {
    workflow: { flaky: { task: 'call_flaky_api' }, notify: { task: 'notify_on_failure', dependsOn: ['flaky'] } },
  })
  await page.goto(`/jobs/${ids.flaky}/graph`)
  await expect(node(page, ids.flaky)).toHaveAttribute('data-status', 'failed')
  await expect(node(page, ids.notify)).toHaveAttribute('data-status', 'succeeded')

  await page.goto(`/jobs/${ids.notify}`)
  await expect(page.getByLabel('Result')).toContainText('"parentFailed": true')

  await page.goto(`/jobs/${ids.flaky}/graph`)
  await node(page, ids.flaky).click()
  await page.getByRole('button', { name: 'Retry with downstream…' }).click()
  const preview = page.getByRole('list', { name: 'Jobs that will run again' })
  await expect(preview).toContainText(`${ids.flaky} call_flaky_api`)
  await expect(preview).toContainText(`${ids.notify} notify_on_failure`)
  await page.getByRole('button', { name: 'Run 2 job(s) again' }).click()
  await expect(page.getByRole('dialog', { name: 'Retry preview' })).toBeHidden() // done: leaving sooner could cancel the request
  // Both run again: the parent fails once more, then the child runs a second time.
  await page.goto(`/jobs/${ids.notify}`)
  await expect(page.getByRole('table', { name: 'Events' })).toContainText('retried')
  await expect.poll(async () => (await page.getByRole('table', { name: 'Events' }).getByText('started', { exact: true }).count())).toBe(2)
  await expect(page.getByRole('heading', { level: 1 })).toContainText('succeeded')
})

test("the Tasks page shows each task's runs, failure rate and run times, and its latest failures", async ({ page, request }) => {
  const { ids } = await defer(request, { workflow: { flaky: { task: 'call_flaky_api' }, notify: { task: 'notify_on_failure', dependsOn: ['flaky'] } } })
  await page.goto(`/jobs/${ids.notify}`)
  await expect(page.getByRole('heading', { level: 1 })).toContainText('succeeded')
  await page.goto('/tasks')
  const flaky = page.getByRole('row', { name: 'Task call_flaky_api' })
  await expect(flaky.getByRole('link', { name: `#${ids.flaky}` })).toBeVisible()
  await expect(flaky.getByLabel('failed, last hour')).toHaveText('100%')
  await expect(flaky.getByLabel('p50, last hour')).toContainText(/≈ \d/)
  const notify = page.getByRole('row', { name: 'Task notify_on_failure' })
  await expect(notify.getByLabel('failed, last hour')).toHaveText('0%')
  await expect(notify.getByLabel('runs, last day')).not.toHaveText('0')
  await expect(notify.getByRole('img')).toHaveAttribute('aria-label', /notify_on_failure: [1-9]\d* runs in 24 hours/)
  await page.screenshot({ path: test.info().outputPath('tasks.png'), fullPage: true })
})

test('a retry by design is not a failure: the Tasks page counts it apart, and the job that succeeded shows no red error', async ({ page, request }) => {
  const { id } = await defer(request, { task: 'settle_payment' })
  await expect.poll(async () => (await (await request.get(`/api/jobs/${id}`)).json()).job.status, { timeout: 30_000 }).toBe('succeeded')
  await page.goto('/tasks')
  const settle = page.getByRole('row', { name: 'Task settle_payment' })
  await expect(settle.getByLabel('failed, last hour')).toHaveText('0%')
  await expect(settle.getByLabel('failed, last hour')).not.toHaveClass(/error/)
  await expect(settle.getByLabel('retried, last hour')).toHaveText(/^[1-9]\d*$/)
  await expect(settle.locator('td.failures')).toContainText('retried: the payment provider asks to try again')
  await expect(settle.locator('td.failures .error')).toHaveCount(0)
  await page.goto(`/jobs/${id}/graph`)
  await page.getByTestId(`node-${id}`).click()
  const panel = page.getByRole('complementary', { name: 'Selected job' })
  await expect(panel).toContainText('Attempt 1 failed (the payment provider asks to try again')
  await expect(panel).toContainText('and was retried.')
  await expect(panel.locator('.error')).toHaveCount(0)
  await page.goto(`/jobs/${id}`)
  await expect(page.getByRole('heading', { name: 'Attempts that failed and were retried (1)' })).toBeVisible()
})

test('a job scheduled ahead waits for its time, in words, in its own colour and in the legend, and is on no critical path', async ({ page, request }) => {
  const { ids } = await defer(request, {
    workflow: { later: { task: 'step', args: { label: 'later' }, scheduleIn: 3600 }, after: { task: 'step', args: { label: 'after' }, dependsOn: ['later'] } },
    name: 'scheduled check',
  })
  await page.goto(`/jobs/${ids.later}`)
  await expect(page.getByLabel('Time', { exact: true })).toContainText(/^Deferred .* ago · waited for its time \d/)
  await expect(page.getByLabel('Time', { exact: true })).not.toContainText('waited for parents')
  await page.goto(`/jobs/${ids.later}/graph?view=timeline`)
  await expect(page.getByLabel('Legend')).toContainText('waited for its time')
  await expect(page.getByTestId(`bar-${ids.later}`)).toHaveAttribute('aria-label', /^Job \d+ later \(step\), todo: waited for its time /)
  await expect(page.getByTestId(`bar-${ids.after}`)).toHaveAttribute('aria-label', /^Job \d+ after \(step\), todo: waited for parents /)
  await expect(page.getByLabel('Critical path', { exact: true })).toHaveCount(0)
  // The child first: once its parent is cancelled, it would be ready to run.
  for (const id of [ids.after, ids.later]) expect((await request.post(`/api/jobs/${id}/cancel`)).status()).toBe(200)
})

test("a job's log lines appear on its page while it runs", async ({ page, request }) => {
  const { id } = await defer(request, { task: 'step', args: { label: 'logged', ms: 8000 } })
  await page.goto(`/jobs/${id}`)
  const log = page.getByRole('list', { name: 'Log lines of attempt 1' })
  await expect(log).toContainText('logged: working for 8000 ms')
  await expect(page.getByRole('heading', { level: 1 })).toContainText('doing')
  await page.screenshot({ path: test.info().outputPath('job-log.png') })
})

test("a workflow's failures run again with everything after them, after a preview; workflows filter by status", async ({ page, request }) => {
  const name = `retried ${Date.now()}`
  const { ids } = await defer(request, {
    workflow: { flaky: { task: 'call_flaky_api' }, notify: { task: 'notify_on_failure', dependsOn: ['flaky'] } },
    name,
  })
  await page.goto(`/jobs/${ids.flaky}/graph`)
  await expect(node(page, ids.notify)).toHaveAttribute('data-status', 'succeeded')
  await page.goto(`/workflows?name=${encodeURIComponent(name)}&status=failed`)
  await expect(page.getByRole('table', { name: 'Workflows' })).toContainText(name)
  await page.goto(`/workflows?name=${encodeURIComponent(name)}&status=succeeded`)
  await expect(page.getByText('No succeeded workflows')).toBeVisible()

  await page.goto(`/jobs/${ids.flaky}/graph`)
  await page.getByRole('button', { name: 'Retry 1 failure(s) with downstream…' }).click()
  const preview = page.getByRole('list', { name: 'Jobs that will run again' })
  await expect(preview).toContainText(`${ids.flaky} call_flaky_api`)
  await expect(preview).toContainText(`${ids.notify} notify_on_failure`)
  await page.getByRole('button', { name: 'Run 2 job(s) again' }).click()
  await expect(page.getByRole('dialog', { name: 'Retry preview' })).toBeHidden() // done: leaving sooner could cancel the request
  await page.goto(`/jobs/${ids.notify}`)
  await expect.poll(async () => (await page.getByRole('table', { name: 'Events' }).getByText('started', { exact: true }).count())).toBe(2)
  const audit = await (await request.get('/api/audit?action=workflow.retry')).json()
  expect(audit.entries[0]).toMatchObject({ action: 'workflow.retry', jobIds: expect.arrayContaining([ids.flaky, ids.notify]) })
})

test("the Workflows page lists the workflows the worker's app defines, with their last runs", async ({ page, request }) => {
  const { ids } = await defer(request, {
    workflow: { top: { task: 'step', args: { label: 'top', ms: 50 } }, bottom: { task: 'step', args: { label: 'bottom', ms: 50 }, dependsOn: ['top'] } },
    name: 'diamond',
  })
  await page.goto('/workflows')
  const definitions = page.getByRole('table', { name: 'Workflow definitions' })
  for (const name of ['etl', 'diamond', 'fan_out', 'failing_branch']) await expect(definitions.getByRole('row', { name: `Workflow ${name}` })).toBeVisible()
  const diamond = definitions.getByRole('row', { name: 'Workflow diamond' })
  await expect(diamond.getByRole('link', { name: /^Run \d+: succeeded$/ }).first()).toBeVisible({ timeout: 30_000 })
  await diamond.getByRole('link', { name: /^Run \d+: succeeded$/ }).first().click()
  await expect(page).toHaveURL(new RegExp(`/jobs/${ids.top}/graph$`))
  await page.goto('/workflows')
  await expect(definitions.getByRole('row', { name: 'Workflow diamond' })).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('workflow-definitions.png'), fullPage: true })
})

test('the etl workflow runs from the Workflows page: a form from its input schema, a preview of its graph, then the run to the end', async ({ page, request }) => {
  await page.goto('/workflows')
  await page.getByRole('row', { name: 'Workflow etl' }).getByRole('button', { name: 'Run…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Run etl' })
  await expect(dialog.getByRole('status')).toHaveText('The run will defer 3 job(s):')
  const url = dialog.getByLabel('url', { exact: true })
  await expect(url).toHaveAttribute('placeholder', 'https://example.com/sales.csv')
  await url.fill('not a url')
  await expect(dialog.getByRole('alert')).toContainText('The input is not valid: workflow etl: invalid arguments: url')
  await expect(dialog.getByRole('button', { name: 'Run', exact: true })).toBeDisabled()
  await url.fill('https://example.com/e2e.csv')
  await expect(dialog.getByRole('status')).toHaveText('The run will defer 3 job(s):')
  for (const key of ['download_data', 'process_data', 'generate_report']) await expect(dialog.getByTestId(`planned-${key}`)).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('run-workflow.png') })
  await dialog.getByRole('button', { name: 'Run', exact: true }).click()
  // The run's graph opens, and fills in as it runs.
  await expect(page).toHaveURL(/\/jobs\/\d+\/graph$/)
  await expect(page.getByRole('heading', { name: /^etl · Workflow \d+ · 3 jobs$/ })).toBeVisible()
  await expect(page.locator('[data-testid^="node-"][data-status="succeeded"]')).toHaveCount(3, { timeout: 30_000 })
  const { workflows } = await (await request.get('/api/workflows?name=etl')).json()
  expect(workflows[0]).toMatchObject({ name: 'etl', status: 'succeeded', input: { url: 'https://example.com/e2e.csv' } })
  const audit = await (await request.get('/api/audit?action=workflow.run')).json()
  expect(audit.entries[0]).toMatchObject({ action: 'workflow.run', details: { name: 'etl', input: { url: 'https://example.com/e2e.csv' }, workflowId: workflows[0].id } })
})

test('a wide run is previewed by its count and its first 500 jobs', async ({ page }) => {
  await page.goto('/workflows')
  await page.getByRole('row', { name: 'Workflow fan_out' }).getByRole('button', { name: 'Run…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Run fan_out' })
  await expect(dialog.getByRole('status')).toHaveText('The run will defer 52 job(s):')
  await dialog.getByLabel('shards', { exact: true }).fill('1000')
  await expect(dialog.getByRole('status')).toHaveText('The run will defer 1,002 job(s); the first 500 are drawn:')
  await expect(dialog.getByLabel('Preview: 500 job(s)')).toBeVisible()
  await dialog.getByRole('button', { name: 'Cancel' }).click()
})

test("a runWhen 'all_succeeded' step is cancelled when its parent fails, with the reason on its page", async ({ page, request }) => {
  await page.goto('/workflows')
  await page.getByRole('row', { name: 'Workflow failing_branch' }).getByRole('button', { name: 'Run…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Run failing_branch' })
  await expect(dialog.getByText('This workflow takes no input.')).toBeVisible()
  await expect(dialog.getByRole('status')).toHaveText('The run will defer 4 job(s):')
  await dialog.getByRole('button', { name: 'Run', exact: true }).click()
  await expect(page).toHaveURL(/\/jobs\/\d+\/graph$/)
  // The steps' ids follow the definition's order: call, notify, page the on-call, publish.
  const call = Number(/\/jobs\/(\d+)\/graph$/.exec(page.url())![1])
  await expect(node(page, call)).toHaveAttribute('data-status', 'failed', { timeout: 30_000 })
  await expect(node(page, call + 3)).toHaveAttribute('data-status', 'cancelled')
  await expect(node(page, call + 2)).toHaveAttribute('data-status', 'succeeded')
  await expect(node(page, call + 1)).toHaveAttribute('data-status', 'succeeded')
  // Each node is named for its step, with its task beside when the two differ.
  await expect(node(page, call + 2)).toContainText(`${call + 2} page_on_call step`)
  await expect(node(page, call)).toContainText(`${call} call_flaky_api`)
  await page.getByRole('button', { name: 'Timeline' }).click()
  await expect(page.getByTestId(`bar-${call + 3}`)).toHaveAttribute('aria-label', /^Job \d+ publish \(step\), cancelled/)
  await page.goto(`/jobs/${call + 3}`)
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Job ${call + 3} · publish (step)`)
  await expect(page.getByRole('region', { name: 'Why is this job not running?' })).toContainText(
    `It was cancelled by its rule (run_when all_succeeded): parent ${call} (call_flaky_api) ended failed.`,
  )
  await expect(page.getByRole('list', { name: 'Log lines recorded before any run' })).toContainText(`cancelled by its rule (run_when all_succeeded): parent ${call} (call_flaky_api) ended failed`)
  const { workflows } = await (await request.get('/api/workflows?name=failing_branch')).json()
  expect(workflows[0]).toMatchObject({ status: 'failed', counts: { failed: 1, cancelled: 1, succeeded: 2 } })
  await page.screenshot({ path: test.info().outputPath('run-when-cancelled.png') })
})

test('a waiting job says what it waits for, and can be cancelled', async ({ page, request }) => {
  const parent = await defer(request, { task: 'step', args: { label: 'later' }, scheduleIn: 3600 })
  const child = await defer(request, { task: 'step', args: { label: 'child' }, dependsOn: [parent.id] })
  await page.goto(`/jobs/${child.id}`)
  const why = page.getByRole('region', { name: 'Why is this job not running?' })
  await expect(why).toContainText(`Waiting on parent job ${parent.id} (step, todo) to finish.`)
  await page.goto(`/jobs/${parent.id}`)
  await expect(why).toContainText('Scheduled for')
  await page.goto(`/jobs/${child.id}`)
  await page.getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toContainText('cancelled')
})

test("the Admin page deletes old finished jobs of a queue after counting them, and says a job no worker can run is waiting for one", async ({ page, request }) => {
  // Jobs of a task no worker has, in a queue of this test's own: they wait, saying why; cancelled, they are finished.
  const jobs = [] as number[]
  for (let i = 0; i < 2; i++) jobs.push((await defer(request, { task: 'nobody_runs_this', queue: 'prune-e2e', allowUnknownTask: true })).id)
  await page.goto(`/jobs/${jobs[0]}`)
  await expect(page.getByRole('region', { name: 'Why is this job not running?' })).toContainText(/No live worker (serves queue "prune-e2e"|has task "nobody_runs_this")/)
  for (const id of jobs) expect((await request.post(`/api/jobs/${id}/cancel`)).status()).toBe(200)
  // They ended ten days ago (as far as their events tell).
  const { databaseUrl } = JSON.parse(fs.readFileSync(serverFile, 'utf8'))
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  await db.query(`UPDATE procrastinate_events SET at = now() - interval '10 days' WHERE job_id = ANY ($1)`, [jobs])
  await db.end()

  await page.goto('/admin')
  const form = page.getByRole('form', { name: 'Delete old jobs' })
  await form.getByLabel('Ended more than').fill('7d')
  await form.getByLabel('Queue').fill('prune-e2e')
  await form.getByRole('button', { name: 'Count' }).click()
  await expect(page.getByText('2 job(s) match.')).toBeVisible()
  page.once('dialog', (dialog) => void dialog.accept())
  await page.getByRole('button', { name: 'Delete 2 job(s)' }).click()
  await expect(page.getByText('Deleted 2 job(s).')).toBeVisible()
  for (const id of jobs) expect((await request.get(`/api/jobs/${id}`)).status()).toBe(404)
  const audit = await (await request.get('/api/audit?action=jobs.prune')).json()
  expect(audit.entries[0]).toMatchObject({ action: 'jobs.prune', outcome: 'ok', details: { olderThan: '7d', queue: 'prune-e2e', deleted: 2 } })
  // A bad age is refused with its code, deleting nothing.
  expect(await (await request.post('/api/jobs/prune', { data: { olderThan: '7 days', dryRun: false } })).json()).toMatchObject({ error: { code: 'invalid_retention' } })
})

test("a Python worker's failure, which keeps no message, says so on the job's page", async ({ page, request }) => {
  const { id } = await defer(request, { task: 'python_only', queue: 'python-e2e', allowUnknownTask: true })
  // What upstream Procrastinate's worker does with a job whose task raised.
  const { databaseUrl } = JSON.parse(fs.readFileSync(serverFile, 'utf8'))
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const [{ worker_id }] = (await db.query('SELECT worker_id FROM procrastinate_register_worker_v1()')).rows
    expect((await db.query(`SELECT id FROM procrastinate_fetch_job_v2('{python-e2e}', $1)`, [worker_id])).rows).toEqual([{ id: String(id) }])
    await db.query(`SELECT procrastinate_finish_job_v1($1, 'failed', false)`, [id])
    await db.query('SELECT procrastinate_unregister_worker_v1($1)', [worker_id])
  } finally {
    await db.end()
  }
  await page.goto(`/jobs/${id}`)
  await expect(page.getByRole('note')).toContainText("No error message was kept for this job: a Python Procrastinate worker keeps none (see that worker's log)")
})

test("a job deferred from the form or the API takes its task's queue; a task no worker announced is refused unless allowed", async ({ page, request }) => {
  await page.goto('/defer')
  await page.getByLabel('Task').selectOption('download_data')
  await expect(page.getByLabel('Queue', { exact: true })).toHaveAttribute('placeholder', 'io')
  await page.getByLabel('Arguments (JSON object)').fill('{"url": "https://example.com/queue.csv"}')
  await page.getByRole('button', { name: 'Defer' }).click()
  const created = page.getByRole('status').getByRole('link')
  await expect(created).toBeVisible()
  const formId = Number((await created.textContent())!.replace(/\D/g, ''))
  const fromApi = await defer(request, { task: 'generate_report' })
  for (const [id, queue] of [[formId, 'io'], [fromApi.id, 'reports']] as const) {
    expect((await (await request.get(`/api/jobs/${id}`)).json()).job.queue).toBe(queue)
  }
  // A Python worker's task, which no worker announces: the caller says it knows.
  const python = await defer(request, { task: 'send_newsletter', allowUnknownTask: true, scheduleIn: 3600 })
  expect((await (await request.get(`/api/jobs/${python.id}`)).json()).job).toMatchObject({ task: 'send_newsletter', queue: 'default' })
  await request.post(`/api/jobs/${python.id}/cancel`, { data: {} })
})

test('pausing a queue, with a reason, stops the running worker from starting its jobs; resuming lets it go on', async ({ page, request }) => {
  await page.goto('/queues')
  // Cancelling the question pauses nothing; answering it pauses, with the answer as the reason.
  page.once('dialog', (dialog) => void dialog.dismiss())
  await page.getByRole('button', { name: 'Pause queue io' }).click()
  const row = page.getByRole('table', { name: 'Queues' }).getByRole('row', { name: /^io / })
  await expect(row).toContainText('running')
  page.once('dialog', (dialog) => void (dialog.type() === 'prompt' && dialog.accept('the partner API is down until 14:00')))
  await page.getByRole('button', { name: 'Pause queue io' }).click()
  await expect(row).toContainText('paused')
  await expect(page.getByLabel('Why queue io is paused')).toHaveText('the partner API is down until 14:00')
  const { id } = await defer(request, { task: 'download_data', args: { url: 'https://example.com/paused.csv' } })
  await page.goto(`/jobs/${id}`)
  await expect(page.getByRole('region', { name: 'Why is this job not running?' })).toContainText('Its queue "io" is paused')
  await expect(page.getByRole('region', { name: 'Why is this job not running?' })).toContainText('“the partner API is down until 14:00”')
  // The worker polls every second and is woken by every new job: three seconds later, still waiting.
  await page.waitForTimeout(3000)
  expect((await (await request.get(`/api/jobs/${id}`)).json()).job.status).toBe('todo')
  await page.goto('/queues')
  await expect(page.getByLabel('Why queue io is paused')).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('paused-queue.png') })
  await page.getByRole('button', { name: 'Resume queue io' }).click()
  await expect(row).toContainText('running')
  await page.goto(`/jobs/${id}`)
  await expect(page.getByRole('heading', { level: 1 })).toContainText('succeeded')
  const audit = await (await request.get('/api/audit?action=queue.pause')).json()
  expect(audit.entries[0]).toMatchObject({ action: 'queue.pause', details: { queue: 'io', reason: 'the partner API is down until 14:00' } })
})

test('a job deferred from the form with a parent waits, then runs', async ({ page, request }) => {
  // The parent waits until the form has made its child (then it is cancelled: the child runs).
  const parent = await defer(request, { task: 'step', args: { label: 'later' }, scheduleIn: 3600 })
  await page.goto('/defer')
  await page.getByLabel('Task').selectOption('download_data')
  const args = page.getByLabel('Arguments (JSON object)')
  await args.fill('[1, 2]')
  await expect(page.getByRole('main').getByRole('alert')).toContainText('must be a JSON object')
  await args.fill('{"urll": "x"}')
  await expect(page.getByRole('main').getByRole('alert')).toContainText('"url" is required')
  await args.fill('{"url": "https://example.com/form.csv"}')
  await page.getByLabel('Parents (job ids)').fill(String(parent.id))
  await page.getByRole('button', { name: 'Defer' }).click()
  const created = page.getByRole('status').getByRole('link')
  await expect(created).toBeVisible()
  await created.click()
  await expect(page.getByRole('region', { name: 'Why is this job not running?' })).toContainText(`Waiting on parent job ${parent.id}`)
  expect((await request.post(`/api/jobs/${parent.id}/cancel`)).status()).toBe(200)
  await expect(page.getByRole('heading', { level: 1 })).toContainText('succeeded')
})

test('the jobs list sorts oldest first, and by the slowest latest attempts', async ({ page, request }) => {
  const label = `sorted ${Date.now()}`
  // Far apart: a run time is measured between the database's records of its start and end,
  // which a busy worker (here beside the console, in one process) writes a little late.
  const deferred: number[] = []
  for (const ms of [200, 2600, 1400]) deferred.push((await defer(request, { task: 'step', args: { label, ms } })).id)
  await page.goto(`/jobs?task=step&args=${encodeURIComponent(`label:${label}`)}`)
  const ids = page.getByRole('table', { name: 'Jobs' }).locator('tbody tr td:nth-child(2)')
  await expect(ids).toHaveText(deferred.map(String).reverse()) // newest first
  await page.getByLabel('Sort').selectOption({ label: 'oldest first' })
  await page.getByRole('button', { name: 'Filter' }).click()
  await expect(page).toHaveURL(/order=oldest/)
  await expect(ids).toHaveText(deferred.map(String))
  // Once all three ran: the 2.6 s one first, then 1.4 s, then 0.2 s.
  await expect.poll(async () => (await (await request.get(`/api/jobs?task=step&status=succeeded&args=${encodeURIComponent(`label:${label}`)}`)).json()).jobs.length, { timeout: 30_000 }).toBe(3)
  await page.getByLabel('Sort').selectOption({ label: 'slowest (of those that ran)' })
  await page.getByRole('button', { name: 'Filter' }).click()
  await expect(ids).toHaveText([deferred[1], deferred[2], deferred[0]].map(String))
})

test('the jobs list filters by argument value, and acts on all it matches after a preview', async ({ page, request }) => {
  for (let user = 1; user <= 5; user++) await defer(request, { task: 'step', args: { label: 'user', user_id: 1000 + user }, scheduleIn: 3600 })
  const started = Date.now()
  await page.goto('/jobs')
  await expect(page.getByRole('table', { name: 'Jobs' }).locator('tbody tr').first()).toContainText('step')
  console.log(`jobs list visible in ${Date.now() - started} ms`)
  await page.getByLabel('Arguments (key:value)').fill('user_id:1003')
  await page.getByRole('button', { name: 'Filter' }).click()
  await expect(page).toHaveURL(/args=user_id%3A1003/)
  const rows = page.getByRole('table', { name: 'Jobs' }).locator('tbody tr')
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('"user_id":1003')
  await page.screenshot({ path: test.info().outputPath('jobs.png') })

  await page.getByRole('button', { name: 'Cancel all matching…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Confirm action on all matching jobs' })
  await expect(dialog).toContainText('1 job(s) match')
  await expect(dialog).toContainText('1 todo job(s) will be cancelled')
  await dialog.getByRole('button', { name: 'Cancel 1 job(s)' }).click()
  await expect(rows.first()).toContainText('cancelled')
})

test('a 2,000-job graph renders and pans', async ({ page, request }) => {
  const workflow: Record<string, { task: string; args: object; dependsOn?: string[]; scheduleIn?: number }> = {
    root: { task: 'step', args: { label: 'root' }, scheduleIn: 3600 },
  }
  for (let i = 1; i < 2000; i++) workflow[`n${i}`] = { task: 'step', args: { label: `n${i}` }, dependsOn: [i < 40 ? 'root' : `n${Math.floor(i / 2)}`] }
  const { ids } = await defer(request, { workflow })
  const started = Date.now()
  await page.goto(`/jobs/${ids.root}/graph`)
  await expect(page.getByRole('heading', { name: /· 2000 jobs/ })).toBeVisible()
  await expect(node(page, ids.root)).toBeVisible()
  const loaded = Date.now() - started
  const rendered = await page.locator('.react-flow__node').count()
  expect(rendered).toBeGreaterThan(0)
  expect(rendered).toBeLessThan(2000) // only what is on screen is drawn
  const viewport = page.locator('.react-flow__viewport')
  const before = await viewport.getAttribute('style')
  const canvas = page.getByLabel('Workflow graph')
  const box = (await canvas.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2 - 200, { steps: 10 })
  await page.mouse.up()
  expect(await viewport.getAttribute('style')).not.toBe(before)
  test.info().annotations.push({ type: 'load time', description: `2,000-job graph visible in ${loaded} ms` })
  console.log(`2,000-job graph visible in ${loaded} ms`)
})

test('a graph whose refresh fails stays as drawn, its zoom kept, and says so until a refresh succeeds', async ({ page, request }) => {
  const { ids } = await defer(request, {
    workflow: {
      first: { task: 'step', args: { label: 'refreshing' }, scheduleIn: 3600 },
      second: { task: 'step', args: { label: 'refreshing' }, dependsOn: ['first'] },
    },
  })
  await page.goto(`/jobs/${ids.first}/graph`)
  await expect(node(page, ids.second)).toBeVisible()
  await page.getByRole('button', { name: 'Zoom Out' }).click()
  const viewport = page.locator('.react-flow__viewport')
  const zoomed = await viewport.getAttribute('style')
  // The graph cannot be read for a while (a busy server refusing it), and a job changes somewhere:
  // the page reads the graph again, and fails.
  const graphReads = `**/api/jobs/${ids.first}/graph`
  await page.route(graphReads, (route) =>
    route.fulfill({ status: 429, contentType: 'application/json', body: JSON.stringify({ error: { code: 'too_many_requests', message: 'busy' } }) }),
  )
  const other = await defer(request, { task: 'step', args: { label: 'refreshing' }, scheduleIn: 3600 })
  const warning = page.getByRole('alert').filter({ hasText: 'Could not refresh' })
  await expect(warning).toContainText(/^Could not refresh: busy\. Shown as read at .+\.$/)
  await expect(node(page, ids.second)).toBeVisible()
  expect(await viewport.getAttribute('style')).toBe(zoomed)
  // Readable again, the next change brings the graph up to date, and the warning goes.
  await page.unroute(graphReads)
  await request.post(`/api/jobs/${other.id}/cancel`)
  await expect(warning).toHaveCount(0)
  expect(await viewport.getAttribute('style')).toBe(zoomed)
  const cancelled = await request.post('/api/jobs/bulk', { data: { filter: { task: 'step', args: { label: 'refreshing' } }, action: 'cancel', dryRun: false } })
  expect((await cancelled.json()).done).toBe(2)
})

test('on a busy queue a graph slower to read than the changes come still shows: a change does not throw a read away', async ({ page, request }) => {
  const { ids } = await defer(request, {
    workflow: {
      first: { task: 'step', args: { label: 'busy' }, scheduleIn: 3600 },
      second: { task: 'step', args: { label: 'busy' }, dependsOn: ['first'] },
    },
  })
  // Each read of the graph takes 800 ms; jobs change all the while (a change is told every 200 ms at most).
  await page.route(`**/api/jobs/${ids.first}/graph`, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800))
    await route.continue().catch(() => {}) // a read the page dropped
  })
  let busy = true
  const changing = (async () => {
    while (busy) {
      await defer(request, { task: 'step', args: { label: 'busy' }, scheduleIn: 3600 })
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })()
  try {
    await page.goto(`/jobs/${ids.first}/graph`)
    await expect(node(page, ids.second)).toBeVisible({ timeout: 10_000 })
  } finally {
    busy = false
    await changing
  }
  const cancelled = await request.post('/api/jobs/bulk', { data: { filter: { task: 'step', args: { label: 'busy' } }, action: 'cancel', dryRun: false } })
  expect((await cancelled.json()).done).toBeGreaterThan(2)
})

test("a 10,000-job workflow's timeline and graph open, draw only what is in view, and find its one failed job", async ({ page, request }) => {
  const workflow: Record<string, object> = { flaky: { task: 'call_flaky_api' }, root: { task: 'step', args: { label: 't10k' }, scheduleIn: 3600 } }
  for (let i = 1; i < 9999; i++) workflow[`n${i}`] = { task: 'step', args: { label: 't10k' }, dependsOn: [i < 50 ? 'root' : `n${Math.floor(i / 2)}`] }
  const { ids } = await defer(request, { workflow })
  await page.goto(`/jobs/${ids.root}/graph?view=timeline`)
  const nextFailed = page.getByRole('button', { name: 'Next failed (1)' })
  await expect(nextFailed).toBeVisible({ timeout: 30_000 })
  expect(await page.getByRole('option').count()).toBeLessThan(200) // of 10,000 rows
  await nextFailed.click()
  await expect(page.getByRole('complementary', { name: 'Selected job' })).toContainText(`Job ${ids.flaky} flaky (call_flaky_api)`)
  await expect(page.getByTestId(`bar-${ids.flaky}`)).toHaveAttribute('aria-selected', 'true')
  // Searching by task keeps only its rows; by id, that job.
  const search = page.getByRole('searchbox', { name: 'Search by id or task' })
  await search.fill('flaky')
  await expect(page.getByRole('search', { name: 'Find jobs' }).getByRole('status')).toHaveText('1 match')
  await expect(page.getByRole('listbox', { name: 'Jobs by start' }).getByRole('option')).toHaveCount(1)
  await search.fill(String(ids.n5000))
  await search.press('Enter')
  await expect(page.getByTestId(`bar-${ids.n5000}`)).toHaveAttribute('aria-selected', 'true')
  // The graph: the failed job, found and centred among 10,000.
  await search.fill('')
  await page.getByRole('button', { name: 'Graph', exact: true }).click()
  await expect(page.getByRole('heading', { name: /· 10000 jobs/ })).toBeVisible({ timeout: 30_000 })
  await nextFailed.click()
  await expect(node(page, ids.flaky)).toBeVisible()
  await expect(node(page, ids.flaky)).toContainText('failed')
  expect(await page.locator('.react-flow__node').count()).toBeLessThan(1000)
  // The rest waits an hour: cancel it, so that it weighs on no other test.
  const cancelled = await request.post('/api/jobs/bulk', { data: { filter: { task: 'step', args: { label: 't10k' } }, action: 'cancel', dryRun: false } })
  expect((await cancelled.json()).done).toBe(9999)
})

test('a 10,000-job tree is drawn in at most 400 nodes, its subtrees as groups that open; from afar it is painted on a canvas, not as 10,000 elements', async ({ page, request }) => {
  const workflow: Record<string, object> = { root: { task: 'step', args: { label: 'tree' }, scheduleIn: 3600 } }
  for (let i = 1; i < 10_000; i++) workflow[`n${i}`] = { task: 'step', args: { label: 'tree' }, dependsOn: [i < 3 ? 'root' : `n${Math.floor((i - 1) / 2)}`] }
  const { ids } = await defer(request, { workflow })
  await page.goto(`/jobs/${ids.root}/graph`)
  await expect(page.getByRole('heading', { name: /· 10000 jobs/ })).toBeVisible({ timeout: 30_000 })
  const groups = page.locator('.dag-node.group')
  await expect(groups.first()).toContainText(/^\d+ jobs under \d+ \(step\)/)
  expect(await page.locator('.react-flow__node').count()).toBeLessThanOrEqual(400)
  // Every job is in the picture once: drawn, or in a group (the panel counts a group's members).
  const firstGroup = groups.first()
  const label = (await firstGroup.textContent())!
  const size = Number(label.match(/^(\d+)/)![1])
  await firstGroup.click()
  const panel = page.getByLabel('Selected group')
  await expect(panel).toContainText(`${size} todo`)
  await expect(panel).toContainText('Only')
  await panel.getByRole('button', { name: 'Open this group' }).click()
  await expect(page.getByText(label, { exact: true })).toHaveCount(0) // opened: one level further down
  // From afar: painted, no element per node; near again: nodes.
  const zoomOut = page.getByRole('button', { name: 'Zoom Out' })
  for (let i = 0; i < 12 && (await zoomOut.isEnabled()); i++) await zoomOut.click() // to the least zoom
  await expect(page.getByLabel('Workflow graph')).toHaveAttribute('data-far', 'true')
  await expect(page.locator('.react-flow__node')).toHaveCount(0)
  const painted = await page.getByTestId('graph-overview').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
    let coloured = 0
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) coloured++
    return coloured
  })
  expect(painted).toBeGreaterThan(1000)
  await page.screenshot({ path: test.info().outputPath('graph-from-afar.png') })
  const zoomIn = page.getByRole('button', { name: 'Zoom In' })
  for (let i = 0; i < 8 && (await zoomIn.isEnabled()); i++) await zoomIn.click()
  await expect(page.locator('.react-flow__node').first()).toBeVisible()
  await expect(page.getByTestId('graph-overview')).toHaveCount(0)
  const cancelled = await request.post('/api/jobs/bulk', { data: { filter: { task: 'step', args: { label: 'tree' } }, action: 'cancel', dryRun: false } })
  expect((await cancelled.json()).done).toBe(10_000)
})

test('a wide fan-out is one group node whose members the panel lists', async ({ page, request }) => {
  const workflow: Record<string, { task: string; args: object; dependsOn?: string[]; scheduleIn?: number }> = {
    root: { task: 'step', args: { label: 'root' }, scheduleIn: 3600 },
    sink: { task: 'step', args: { label: 'sink' }, dependsOn: [] },
  }
  for (let i = 0; i < 3000; i++) {
    workflow[`m${i}`] = { task: 'step', args: { label: `m${i}` }, dependsOn: ['root'] }
    workflow.sink!.dependsOn!.push(`m${i}`)
  }
  const { ids } = await defer(request, { workflow })
  await page.goto(`/jobs/${ids.root}/graph`)
  const group = page.getByTestId(`group-${ids.m0}`)
  await expect(group).toContainText('3000 jobs')
  await expect(page.locator('.react-flow__edge')).toHaveCount(2) // root → group → sink, not 6,000
  await page.getByLabel(/^3000 jobs step: 3000 todo/).focus() // by keyboard: focus the node, Enter
  await page.keyboard.press('Enter')
  const panel = page.getByLabel('Selected group')
  await expect(panel).toContainText('3000 todo')
  await panel.getByRole('button', { name: `Job ${ids.m0}`, exact: true }).click()
  await expect(page.getByLabel('Selected job')).toContainText(`Job ${ids.m0}`)
  // Expanded, the group's jobs are drawn one by one.
  await page.getByLabel(/^3000 jobs step: 3000 todo/).click()
  await page.getByRole('button', { name: 'Open this group' }).click()
  await expect(group).toHaveCount(0)
  await expect(node(page, ids.m0)).toBeVisible()
})

test('the overview shows counts, failures and workers', async ({ page, request }) => {
  // A failure of its own (the test passes alone, not only after others made one).
  const { id } = await defer(request, { task: 'call_flaky_api' })
  await expect.poll(async () => (await (await request.get(`/api/jobs/${id}`)).json()).job.status, { timeout: 30_000 }).toBe('failed')
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
  await expect(page.getByRole('table', { name: 'Workers' })).toContainText('all')
  await expect(page.getByRole('table', { name: 'Recent failures' })).toContainText('call_flaky_api')
  await page.screenshot({ path: test.info().outputPath('overview.png') })
})

test("a page's load renders no other page: links are followed when clicked, not prefetched", async ({ page }) => {
  const renders: string[] = []
  page.on('request', (request) => void (new URL(request.url()).searchParams.has('_rsc') && renders.push(request.url())))
  await page.goto('/') // the overview: 73 links, each was prefetched
  await expect(page.getByRole('table', { name: 'Workers' })).toBeVisible()
  await page.goto('/jobs')
  await expect(page.getByRole('table', { name: 'Jobs' })).toBeVisible()
  await page.waitForTimeout(1500) // the links in view were prefetched at once, and again
  expect(renders).toEqual([])
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queues' }).click()
  await expect(page.getByRole('table', { name: 'Queues' })).toBeVisible()
  expect(renders).toHaveLength(1) // the page followed, rendered for this navigation
})

test('the API answers errors with a code and a fitting status', async ({ request }) => {
  const cases: Array<[Promise<import('@playwright/test').APIResponse>, number, string]> = [
    [request.get('/api/jobs/999999'), 404, 'job_not_found'],
    [request.get('/api/jobs?limit=0'), 400, 'invalid_request'],
    [request.post('/api/jobs', { data: { task: 'step', dependsOn: [999999] } }), 422, 'unknown_parent'],
    [request.post('/api/jobs', { data: { task: 'x', args: [1] } }), 400, 'invalid_request'],
    [request.post('/api/jobs', { data: { task: 'dowload_data', args: { url: 'x' } } }), 422, 'unknown_task'],
    [request.post('/api/jobs', { data: { workflow: { a: { task: 'step' }, b: { task: 'stpe', dependsOn: ['a'] } } } }), 422, 'unknown_task'],
    [request.post('/api/jobs', { headers: { 'content-type': 'application/json' }, data: Buffer.from('{nope') }), 400, 'invalid_json'],
    [request.post('/api/jobs/999999/retry', { data: {} }), 404, 'job_not_found'],
  ]
  for (const [pending, status, code] of cases) {
    const response = await pending
    expect(response.status()).toBe(status)
    expect((await response.json()).error.code).toBe(code)
  }
  const openapi = await (await request.get('/api/openapi.json')).json()
  expect(Object.keys(openapi.paths)).toContain('/api/jobs/{id}/retry')
})

test('every page fits a phone (390 px): a Menu button holds the links, tables scroll inside, the graph\'s panel goes below it', async ({ page, request }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  const { ids } = await defer(request, {
    workflow: { a: { task: 'step', args: { label: 'phone a', ms: 10 } }, b: { task: 'step', args: { label: 'phone b', ms: 10 }, dependsOn: ['a'] } },
  })
  for (const path of ['/', '/jobs', `/jobs/${ids.b}`, `/jobs/${ids.b}/graph`, `/jobs/${ids.b}/graph?view=timeline`, '/workflows', '/defer', '/tasks', '/tasks/step', '/queues', '/schedules', '/workers', '/audit', '/admin']) {
    await page.goto(path)
    await expect(page.locator('main h1').first()).toBeVisible()
    await page.waitForLoadState('networkidle')
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((element) => element.getBoundingClientRect().right > 391)
        .filter((element) => {
          for (let up = element.parentElement; up; up = up.parentElement) if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) return false
          return true
        })
        .slice(0, 5)
        .map((element) => `${element.tagName}.${element.className}`),
    )
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path}: ${wide.join(', ')}`).toBeLessThanOrEqual(390)
  }
  await page.goto('/')
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav).toBeHidden()
  await page.getByRole('button', { name: 'Menu' }).click()
  await nav.getByRole('link', { name: 'Queues' }).click()
  await expect(page.getByRole('heading', { name: 'Queues' })).toBeVisible()
  await expect(nav).toBeHidden() // closed again on the new page
  await page.goto(`/jobs/${ids.b}/graph`)
  await expect(node(page, ids.b)).toBeVisible()
  const canvas = (await page.locator('.graph .canvas').boundingBox())!
  const panel = (await page.getByRole('complementary', { name: 'Selected job' }).boundingBox())!
  expect(panel.y).toBeGreaterThanOrEqual(canvas.y + canvas.height)
  await expect(page.locator('.react-flow__minimap')).toBeHidden() // it would cover a third of the graph
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({ path: test.info().outputPath(`phone-graph-${scheme}.png`), fullPage: true })
    await page.goto('/jobs')
    await page.screenshot({ path: test.info().outputPath(`phone-jobs-${scheme}.png`) })
    await page.goto(`/jobs/${ids.b}/graph`)
  }
})

test('every page passes an accessibility audit (WCAG 2 A and AA)', async ({ page, request }) => {
  test.slow() // 18 pages, each audited once settled
  const { ids } = await defer(request, {
    workflow: { first: { task: 'download_data', args: { url: 'https://example.com/a11y.csv' } }, second: { task: 'process_data', dependsOn: ['first'] } },
  })
  // A fan-out drawn as one group node.
  const shards = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`shard_${i}`, { task: 'step', args: { label: `a11y ${i}`, ms: 10 }, dependsOn: ['split'] }]))
  const fan = await defer(request, { workflow: { split: { task: 'step', args: { label: 'a11y split', ms: 10 } }, ...shards } })
  const pages = ['/', '/jobs', `/jobs/${ids.second}`, `/jobs/${ids.second}/graph`, `/jobs/${ids.second}/graph?view=timeline`, `/jobs/${fan.ids.split}/graph`, '/workflows', '/defer', '/tasks', '/tasks/step', '/queues', '/schedules', '/workers']
  const found: string[] = []
  for (const path of pages) {
    await page.emulateMedia({ colorScheme: 'light' })
    await page.goto(path)
    await expect(page.locator('main h1').first()).toBeVisible()
    if (path === `/jobs/${fan.ids.split}/graph`) await expect(page.getByTestId(`group-${fan.ids.shard_0}`)).toBeVisible()
    if (path.endsWith('view=timeline')) await expect(page.getByRole('listbox', { name: 'Jobs by start' })).toBeVisible()
    await page.waitForLoadState('networkidle')
    // Every rule in light; in dark, on the same settled page, the rules that colours decide
    // (the scheme is CSS only, prefers-color-scheme: nothing else on the page changes with it).
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme })
      const audit = new AxeBuilder({ page })
      const { violations } = await (colorScheme === 'light' ? audit.withTags(['wcag2a', 'wcag2aa']) : audit.withRules(['color-contrast', 'link-in-text-block'])).analyze()
      for (const violation of violations) {
        found.push(`${colorScheme} ${path}: ${violation.id} (${violation.impact}) ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`)
      }
    }
  }
  expect(found).toEqual([])
})

test('pages do not jump while they load and update live', async ({ page, request }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { layoutShift: number }
    w.layoutShift = 0
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) {
        if (!entry.hadRecentInput) w.layoutShift += entry.value
      }
    }).observe({ type: 'layout-shift', buffered: true })
  })
  const shifts: Record<string, number> = {}
  for (const path of ['/', '/jobs', '/workflows', '/queues', '/workers']) {
    await page.goto(path)
    await expect(page.locator('main h1').first()).toBeVisible()
    // Jobs arrive and finish while the page is open.
    await defer(request, { workflow: { a: { task: 'download_data', args: { url: 'https://example.com/cls.csv' } }, b: { task: 'process_data', dependsOn: ['a'] } } })
    await page.waitForTimeout(1500)
    shifts[path] = await page.evaluate(() => (window as unknown as { layoutShift: number }).layoutShift)
  }
  // 0.1 is the bound web.dev calls good for cumulative layout shift.
  for (const [path, shift] of Object.entries(shifts)) expect(shift, `layout shift on ${path}`).toBeLessThan(0.1)
  console.log('cumulative layout shift by page', shifts)
})
