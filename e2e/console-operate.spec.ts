// An operator fixing and steering from the console: a run mended by hand.
import type { APIRequestContext } from '@playwright/test'
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
