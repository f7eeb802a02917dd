import { build } from 'esbuild'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Bundled test pages: name → JavaScript, built from TS/TSX entry points with esbuild. */
export type Bundles = ReadonlyMap<string, string>

/**
 * Bundles each entry (name → file) for the browser, with React in development mode, so the
 * pages run StrictMode's double mount as an application does while it is being written.
 */
export async function bundlePages(entries: { [name: string]: string }): Promise<Bundles> {
  const out = new Map<string, string>()
  await Promise.all(
    Object.entries(entries).map(async ([name, file]) => {
      const r = await build({
        entryPoints: [file],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        jsx: 'automatic',
        define: { 'process.env.NODE_ENV': '"development"' },
        sourcemap: 'inline',
        write: false,
        logLevel: 'silent',
      })
      out.set(name, r.outputFiles[0]!.text)
    }),
  )
  return out
}

/** A static server for the pages on one origin: GET /<name> is the page, /<name>.js its bundle. */
export class PageServer {
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  /**
   * Serves `bundles` on `host` (localhost and 127.0.0.1 are two origins to a browser, as are
   * two ports), on a free port.
   */
  static async start(bundles: Bundles, host: 'localhost' | '127.0.0.1' = 'localhost'): Promise<PageServer> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1)
      const js = path.endsWith('.js') ? bundles.get(path.slice(0, -3)) : undefined
      if (js !== undefined) {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
        res.end(js)
      } else if (bundles.has(path)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        res.end(`<!doctype html><html><head><meta charset="utf-8"><title>${path}</title></head>` +
          `<body><div id="root"></div><script type="module" src="/${path}.js"></script></body></html>`)
      } else if (path === 'favicon.ico') {
        res.writeHead(204).end() // the browser asks; a 404 would be a console error
      } else {
        res.writeHead(404).end()
      }
    })
    await new Promise<void>((resolve) => server.listen(0, host === 'localhost' ? '127.0.0.1' : host, resolve))
    const { port } = server.address() as AddressInfo
    return new PageServer(server, `http://${host}:${port}`)
  }

  /** The page's URL, with `params` in its query (the pages read their settings from there). */
  url(name: string, params: { [key: string]: string } = {}): string {
    const u = new URL(`/${name}`, this.origin)
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v)
    return u.toString()
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections()
      this.server.close(() => resolve())
    })
  }
}
