import { defineConfig } from 'vitest/config'

/** React 19 (the workspace's react); vitest.react18.config.ts runs the same tests on React 18. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // happy-dom, not jsdom: it runs in Node's own realm, so the ArrayBuffers ws delivers are
    // the ArrayBuffers the client checks for (jsdom's vm context has its own).
    environment: 'happy-dom',
    environmentOptions: {
      // Pages and the server are on different origins here; CORS is a browser's business, and
      // the Chromium tests (js/e2e) are where it is tested against the server's headers.
      happyDOM: { settings: { fetch: { disableSameOriginPolicy: true } } },
    },
    globalSetup: ['test/server.setup.ts'],
    setupFiles: ['test/react.setup.ts'],
    // One real server serves every file; files run one at a time on the shared 2-core machine.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
