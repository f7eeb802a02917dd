import { build, type Plugin } from 'esbuild'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

/** A bundled page: its script, and its styles when it imports CSS. */
export interface Bundle {
  readonly js: string
  readonly css?: string
}

/** Bundled pages by name, built from TS/TSX entry points with esbuild. */
export type Bundles = ReadonlyMap<string, Bundle>

/** An entry point, and for an application bundled from elsewhere, its build-time constants. */
export interface Entry {
  readonly file: string
  /** esbuild's define: identifier → JavaScript expression. */
  readonly define?: { [name: string]: string }
}

// Packages every page resolves from this workspace, whatever node_modules sits nearer to the
// entry (examples/widget has its own): one React, one Yjs, the packages as built here.
const shared = /^(react|react-dom|yjs|y-protocols|lib0|@recordroom\/client|@recordroom\/react)(\/.*)?$/
const e2eDir = fileURLToPath(new URL('..', import.meta.url))
const fromWorkspace: Plugin = {
  name: 'workspace-packages',
  setup(b) {
    b.onResolve({ filter: shared }, (args) =>
      args.pluginData === e2eDir ? undefined : b.resolve(args.path, { kind: args.kind, resolveDir: e2eDir, pluginData: e2eDir }),
    )
  },
}

/**
 * Bundles each entry for the browser, with React in development mode, so the pages run
 * StrictMode's double mount as an application does while it is being written.
 */
export async function bundlePages(entries: { [name: string]: string | Entry }): Promise<Bundles> {
  const out = new Map<string, Bundle>()
  await Promise.all(
    Object.entries(entries).map(async ([name, entry]) => {
      const { file, define = {} } = typeof entry === 'string' ? { file: entry } : entry
      const r = await build({
        entryPoints: { [name]: file },
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        jsx: 'automatic',
        plugins: [fromWorkspace],
        define: { 'process.env.NODE_ENV': '"development"', ...define },
        sourcemap: 'inline',
        outdir: '/bundles', // nothing is written: it names the outputs
        write: false,
        logLevel: 'silent',
      })
      const text = (ext: string) => r.outputFiles.find((f) => f.path.endsWith(ext))?.text
      const js = text('.js')
      if (js === undefined) throw new Error(`esbuild made no script for ${name}`)
      const css = text('.css')
      out.set(name, css === undefined ? { js } : { js, css })
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
      const dot = path.lastIndexOf('.')
      const [name, ext] = dot < 0 ? [path, ''] : [path.slice(0, dot), path.slice(dot + 1)]
      const bundle = bundles.get(name)
      if (bundle !== undefined && ext === 'js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
        res.end(bundle.js)
      } else if (bundle?.css !== undefined && ext === 'css') {
        res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-store' })
        res.end(bundle.css)
      } else if (bundle !== undefined && ext === '') {
        const style = bundle.css === undefined ? '' : `<link rel="stylesheet" href="/${name}.css">`
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        res.end(`<!doctype html><html><head><meta charset="utf-8"><title>${name}</title>${style}</head>` +
          `<body><div id="root"></div><script type="module" src="/${name}.js"></script></body></html>`)
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
