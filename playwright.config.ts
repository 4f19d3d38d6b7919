import fs from 'node:fs'
import { defineConfig } from '@playwright/test'

const port = Number(process.env.E2E_PORT ?? 3100)
// Debian's Chromium where it is installed (these machines cannot download Playwright's own).
const chromium = process.env.CHROMIUM_PATH ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)

export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  workers: 1, // one console, one worker, one database
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: { executablePath: chromium },
    viewport: { width: 1400, height: 900 },
    trace: 'retain-on-failure',
  },
  webServer: {
    // A fresh database, the console (built when needed) and a real worker on the demo's tasks.
    command: `tsx e2e/serve.ts ${port}`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 180_000,
    reuseExistingServer: !process.env.CI,
    stdout: 'pipe',
    // SIGTERM, not SIGKILL: e2e/serve.ts then stops its worker and drops its database.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
  },
})
