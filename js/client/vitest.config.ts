import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The integration test starts a real server; give it room on a shared 2-core machine.
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
