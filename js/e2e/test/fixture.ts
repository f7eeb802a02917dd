import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll } from 'vitest'
import { launchBrowser, openPage, type Browser, type TestPage } from '../harness/browser.js'
import { bundlePages, PageServer, type Bundles, type Entry } from '../harness/pages.js'
import { TestServer } from '../harness/server.js'

const pageFile = (name: string): string => fileURLToPath(new URL(`../pages/${name}`, import.meta.url))

/** The example widget (examples/widget), bundled as its own page. */
export const widgetEntry = fileURLToPath(new URL('../../../examples/widget/src/main.tsx', import.meta.url))

/** Every test page, by name; bundled once per test file. */
const PAGES: { [name: string]: string | Entry } = {
  // The widget's build-time defaults (vite.config.ts); the tests give url, room and token in the query.
  widget: {
    file: widgetEntry,
    define: { __RECORDROOM_URL__: '"http://localhost:8080"', __RECORDROOM_ROOM__: '"demo"', __RECORDROOM_TOKEN__: '""' },
  },
  records: pageFile('records.tsx'),
  note: pageFile('note.tsx'),
  files: pageFile('files.tsx'),
  cors: pageFile('cors.ts'),
  parent: pageFile('parent.ts'),
  child: pageFile('child.tsx'),
}

/** What a browser test file works with: a real server, the pages on two origins, Chromium. */
export interface World {
  server: TestServer
  /** The pages on http://localhost:<port>. */
  local: PageServer
  /** The same pages on http://127.0.0.1:<port>: another origin. */
  other: PageServer
  browser: Browser
  bundles: Bundles
  /** Opens a page as `sub` in `room`; the page gets url, room and token in its query. */
  open(name: string, room: string, sub: string, extra?: { [key: string]: string }, options?: { captureFrames?: boolean; on?: PageServer }): Promise<TestPage>
}

/** The page origins of a world. */
export interface Origins {
  local: string
  other: string
}

/** As a deployment serving these pages would be configured: both page origins may call the API. */
const corsForPages = (o: Origins): { [name: string]: string } => ({ RECORDROOM_CORS_ORIGINS: `${o.local},${o.other}` })

/**
 * Starts the world before the file's tests and stops it after. `env` gives the server's extra
 * environment from the page origins; by default CORS allows both.
 */
export function world(env: (origins: Origins) => { [name: string]: string } = corsForPages): World {
  const w = {} as World
  const opened: TestPage[] = []
  beforeAll(async () => {
    w.bundles = await bundlePages(PAGES)
    ;[w.local, w.other] = await Promise.all([PageServer.start(w.bundles, 'localhost'), PageServer.start(w.bundles, '127.0.0.1')])
    w.server = await TestServer.start({ env: env({ local: w.local.origin, other: w.other.origin }) })
    w.browser = await launchBrowser()
    w.open = async (name, room, sub, extra = {}, options = {}) => {
      const on = options.on ?? w.local
      const p = await openPage(w.browser, on.url(name, { url: w.server.url, room, token: w.server.token(sub), ...extra }), options)
      opened.push(p)
      return p
    }
  }, 120_000)
  afterAll(async () => {
    for (const p of opened) if (p.errors.length > 0) console.log(`page errors:\n${p.errors.join('\n')}`)
    await w.browser?.close()
    await Promise.all([w.local?.close(), w.other?.close()])
    await w.server?.close()
  })
  return w
}

/** A REST call to the world's server as `sub`; answers the parsed JSON body (null for 204). */
export async function rest(w: World, sub: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${w.server.url}/v1/rooms/${path}`, {
    method,
    headers: { authorization: `Bearer ${w.server.token(sub)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text === '' ? null : JSON.parse(text) }
}

let rooms = 0
/** A room of its own for each test. */
export function room(): string {
  return `e2e-${process.pid}-${++rooms}`
}
