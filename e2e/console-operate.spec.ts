// An operator fixing and steering from the console: a run mended by hand, a worker stopped, a
// schedule run now and paused.
import type { APIRequestContext } from '@playwright/test'
import fs from 'node:fs'
import { manana } from '../test/processes.ts'
import { serverFile } from './admin.ts'
import { expect, test } from './fixtures.ts'

async function defer(request: APIRequestContext, body: unknown) {
  const response = await request.post('/api/jobs', { data: body })
  expect(response.status(), await response.text()).toBe(201)
  return response.json()
}

test('a failed step marked succeeded with a result lets what waited on its success run, reading that result; audited', async ({ page, request }) => {
  const { ids } = await defer(request, {
    workflow: {
      flaky: { task: 'call_flaky_api' },
      after: { task: 'step', args: { label: 'after the fix' }, dependsOn: ['flaky'], runWhen: 'all_succeeded' },
    },
  })
  await expect.poll(async () => (await (await request.get(`/api/jobs/${ids.after}`)).json()).job.status, { timeout: 30_000 }).toBe('cancelled')
  await page.goto(`/jobs/${ids.flaky}`)
  await expect(page.getByRole('heading', { level: 1 })).toContainText('failed')
  await page.getByRole('button', { name: 'Mark succeeded…' }).click()
  const dialog = page.getByRole('dialog', { name: `Mark job ${ids.flaky} succeeded` })
  await dialog.getByLabel('Result (JSON)').fill('{"status": 200, "fixed_by": "hand"')
  await expect(dialog.getByRole('alert')).toContainText('not JSON')
  await expect(dialog.getByRole('button', { name: 'Mark succeeded' })).toBeDisabled()
  await dialog.getByLabel('Result (JSON)').fill('{"status": 200, "fixed_by": "hand"}')
  await dialog.getByRole('button', { name: 'Mark succeeded' }).click()
  await expect(page.getByRole('status').filter({ hasText: `Job ${ids.flaky} marked succeeded. Running again for it: ${ids.after}.` })).toBeVisible()
  await expect(page.getByRole('heading', { level: 1 })).toContainText('succeeded')
  await expect(page.getByLabel('Result')).toContainText('"fixed_by": "hand"')
  await expect(page.getByRole('list', { name: /^Log lines of attempt/ })).toContainText('marked succeeded by admin (it had failed)')
  // The step that its failure had cancelled runs now.
  await expect.poll(async () => (await (await request.get(`/api/jobs/${ids.after}`)).json()).job.status, { timeout: 30_000 }).toBe('succeeded')
  const audit = await (await request.get('/api/audit?action=job.mark_succeeded')).json()
  expect(audit.entries[0]).toMatchObject({ actor: 'admin', jobIds: [ids.flaky, ids.after], details: { result: { status: 200, fixed_by: 'hand' } }, outcome: 'ok' })
  // Twice is refused in words: it is succeeded now.
  const again = await request.post(`/api/jobs/${ids.flaky}/mark-succeeded`, { data: { result: null } })
  expect(again.status()).toBe(409)
  expect((await again.json()).error.code).toBe('job_not_markable')
})

test('a worker is stopped from the Workers page: it finishes its running job, then exits; its host, pid, version and jobs are shown', async ({ page, request }) => {
  const { databaseUrl } = JSON.parse(fs.readFileSync(serverFile, 'utf8'))
  // A worker of its own (the only one with task `node`: the demo's worker leaves its jobs), running one long job when asked to stop.
  const worker = manana(databaseUrl, ['worker', '--app', 'test/apps/dag-app.ts', '--name', 'e2e-stoppable', '--concurrency', '2'])
  try {
    const { id } = await defer(request, { task: 'node', args: { ms: 4000 }, allowUnknownTask: true })
    await page.goto('/workers')
    const row = page.getByRole('row').filter({ hasText: 'e2e-stoppable' })
    await expect(row.getByLabel(/^running, worker/)).toContainText(`${id} node`, { timeout: 30_000 })
    await expect(row).toContainText(/pid \d+/)
    await expect(row.getByRole('cell').nth(2)).toHaveText(/^\d+\.\d+\.\d+/) // its version
    await expect(row.getByLabel(/^claimed ahead, worker/)).toHaveText('0')
    page.once('dialog', (dialog) => dialog.accept())
    await row.getByRole('button', { name: 'Stop…' }).click()
    await expect(row.getByRole('status')).toContainText('stopping: asked by admin')
    expect(await worker.exited, worker.output()).toBe(0)
    expect(worker.output()).toContain('asked to stop by admin: finishing its running jobs, then stopping')
    expect((await (await request.get(`/api/jobs/${id}`)).json()).job.status).toBe('succeeded')
    await expect(row).toHaveCount(0) // unregistered
    const audit = await (await request.get('/api/audit?action=worker.stop')).json()
    expect(audit.entries[0]).toMatchObject({ actor: 'admin', outcome: 'ok' })
    const gone = await request.post(`/api/workers/${audit.entries[0].details.workerId}/stop`)
    expect(gone.status()).toBe(404)
    expect((await gone.json()).error.code).toBe('worker_not_found')
  } finally {
    worker.child.kill('SIGKILL')
  }
})

test('the Schedules page lists a worker\'s schedule with its next tick; Run now defers its job; Pause and Resume, audited', async ({ page, request }) => {
  const { databaseUrl } = JSON.parse(fs.readFileSync(serverFile, 'utf8'))
  const worker = manana(databaseUrl, ['worker', '--app', 'test/apps/scheduled-app.ts', '--name', 'e2e-scheduler'])
  try {
    await page.goto('/')
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules' }).click()
    const row = page.getByRole('row', { name: 'Schedule nightly_report (eu)' })
    await expect(row).toContainText('0 3 * * *', { timeout: 30_000 })
    await expect(row).toContainText('reports')
    await expect(row.getByRole('cell').nth(3)).toContainText(/\d{4}-\d{2}-\d{2} 03:00:00 UTC/) // the browser here is in UTC
    await expect(row.getByRole('cell').nth(4)).toHaveText('none yet')
    await row.getByRole('button', { name: 'Run now' }).click()
    const banner = page.getByRole('status').filter({ hasText: 'nightly_report (eu): deferred now.' })
    await expect(banner).toBeVisible()
    const jobId = Number((await banner.getByRole('link').textContent())!.replace('Job ', ''))
    await expect.poll(async () => (await (await request.get(`/api/jobs/${jobId}`)).json()).job, { timeout: 30_000 }).toMatchObject({ status: 'succeeded', result: { region: 'eu' }, queue: 'reports' })
    await row.getByRole('button', { name: 'Pause' }).click()
    await expect(row).toContainText('paused')
    await expect(row.getByRole('cell').nth(3)).toHaveText('—') // no next tick while paused
    const listed = (await (await request.get('/api/schedules')).json()).schedules.find((s: { task: string }) => s.task === 'nightly_report')
    expect(listed).toMatchObject({ periodicId: 'eu', paused: { by: 'admin' }, nextTick: null })
    await row.getByRole('button', { name: 'Resume' }).click()
    await expect(row).toContainText('active')
    const actions = (await (await request.get('/api/audit?actor=admin')).json()).entries.map((entry: { action: string }) => entry.action)
    expect(actions.slice(0, 3)).toEqual(['schedule.resume', 'schedule.pause', 'schedule.run'])
    const unknown = await request.post('/api/schedules/pause', { data: { task: 'no_such_task' } })
    expect(unknown.status()).toBe(404)
    expect((await unknown.json()).error.code).toBe('schedule_not_found')
  } finally {
    worker.child.kill('SIGTERM')
    await worker.exited
  }
})
