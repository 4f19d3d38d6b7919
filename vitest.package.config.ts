// The package as users install it: `npm pack` (which builds the console and the JavaScript),
// installed into throwaway projects. Run after the other tests, so that the build does not
// compete with them for the machine.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.package.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
})
