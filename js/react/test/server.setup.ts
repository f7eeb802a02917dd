import type { TestProject } from 'vitest/node'
import { TestServer } from '@recordroom/e2e/harness'

declare module 'vitest' {
  export interface ProvidedContext {
    server: { url: string; secret: string }
  }
}

/** One real server (fresh database) for the whole run; tests use rooms of their own. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await TestServer.start()
  project.provide('server', { url: server.url, secret: server.secret })
  return () => server.close()
}
