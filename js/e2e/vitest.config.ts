import { defineConfig } from 'vitest/config'

/** The browser tests: one file at a time (each starts a server and Chromium), in Node. */
export default defineConfig({
  test: {
    include: ['test/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
