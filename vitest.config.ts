import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['lib/**/*.test.ts', 'worker/**/*.test.ts', 'python/*.test.ts'],
    // The packed package's tests build it: they run alone, after these (vitest.package.config.ts).
    exclude: ['**/*.package.test.ts', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
})
