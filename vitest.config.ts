import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['lib/**/*.test.ts', 'worker/**/*.test.ts', 'python/*.test.ts'],
    // The packed package's tests build it: they run alone, after these (vitest.package.config.ts).
    exclude: ['**/*.package.test.ts', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    // Two files at a time (Vitest would take one on a 2-core machine): each has a database of
    // its own, and they are sized to pass on a busy 2-core machine.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
})
