// Time in the console: one way of writing a time, in the browser's zone or UTC, and durations
// that add up.
import type { APIRequestContext } from '@playwright/test'
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
