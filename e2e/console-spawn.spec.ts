// A workflow that grows while it runs: the demo's `files` definition maps process_file over what
// list_files finds. Its items appear in the graph as one group named by the map step, the join's
// page counts the items it waits for, and the join runs after the last of them.
import fs from 'node:fs'
import pg from 'pg'
import { serverFile } from './admin.ts'
import { expect, test } from './fixtures.ts'

test("a map step's items fill in live as one group, process ×37; the join waits for them, says so, and runs last", async ({ page, request }) => {
  const run = await request.post('/api/workflows', { data: { name: 'files', input: { count: 37 } } })
  expect(run.status(), await run.text()).toBe(201)
  const { jobs } = (await run.json()) as { jobs: Record<string, number> }
  await page.goto(`/jobs/${jobs.summarize}`)
  // While the items run, the join says how many it still waits for.
  await expect(page.getByRole('region', { name: 'Why is this job not running?' })).toContainText(/Waiting for \d+ of 37 process items to finish/, { timeout: 30_000 })
  await page.goto(`/jobs/${jobs.summarize}/graph`)
  const group = page.locator('.dag-node.group', { hasText: 'process ×37' })
  await expect(group).toBeVisible()
  const status = async () => (await (await request.get(`/api/jobs/${jobs.summarize}`)).json()).job.status
  await expect.poll(status, { timeout: 60_000 }).toBe('succeeded')
  await expect(page.getByLabel(/^process ×37: 37 succeeded/)).toBeVisible() // the group's counts follow live
  // The join's name, "summarize summarize_files", is longer than its node is wide: it is cut
  // short on its line, and the status line under it stays inside the node.
  const join = page.getByTestId(`node-${jobs.summarize}`)
  await expect(join).toHaveAttribute('data-status', 'succeeded')
  const [node, statusLine] = await Promise.all([join.boundingBox(), join.getByText('succeeded', { exact: true }).boundingBox()])
  expect(statusLine!.y + statusLine!.height).toBeLessThanOrEqual(node!.y + node!.height)
  const summary = (await (await request.get(`/api/jobs/${jobs.summarize}`)).json()).job
  expect(summary.result).toMatchObject({ files: 37, failed: 0 })
  const { databaseUrl } = JSON.parse(fs.readFileSync(serverFile, 'utf8'))
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const { rows } = await db.query(
      `SELECT (SELECT max(at) FROM procrastinate_events WHERE type = 'succeeded' AND job_id IN (SELECT id FROM procrastinate_jobs WHERE spawned_by = $1))
              < (SELECT min(at) FROM procrastinate_events WHERE type = 'started' AND job_id = $2) AS last`,
      [jobs.process, jobs.summarize],
    )
    expect(rows).toEqual([{ last: true }])
  } finally {
    await db.end()
  }
})
