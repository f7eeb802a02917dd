// Reports the size of @recordroom/client as an application ships it: src/index.ts bundled with
// esbuild, minified, yjs/y-protocols/lib0 left out, then gzipped. The budget (15 KB) is a goal
// this script reports against; it fails only if the bundle cannot be built.
import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))
const result = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  external: ['yjs', 'y-protocols', 'y-protocols/*', 'lib0', 'lib0/*'],
  write: false,
})
const code = result.outputFiles[0].contents
const gz = gzipSync(code, { level: 9 })
const kb = (n) => (n / 1024).toFixed(1)
console.log(`@recordroom/client: ${kb(code.length)} KB minified, ${kb(gz.length)} KB minified+gzipped (goal ≤ 15 KB)`)
