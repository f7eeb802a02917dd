// bench.mjs times real yjs on the committed 20,000-keystroke typing history (../typing.bin.gz),
// so `make bench-yjs` can set the Go codec's figures beside yjs's in the same run. It prints one
// JSON object: milliseconds per operation, each the median of its runs.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'

const here = path.dirname(fileURLToPath(import.meta.url))
const d = decoding.createDecoder(zlib.gunzipSync(fs.readFileSync(path.join(here, '..', 'typing.bin.gz'))))
const updates = Array.from({ length: decoding.readVarUint(d) }, () => decoding.readVarUint8Array(d))
const merged = decoding.readVarUint8Array(d)
const sv = decoding.readVarUint8Array(d)

// median runs fn n times and answers the median duration in milliseconds.
const median = (n, fn) => {
  const times = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    fn()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return +times[Math.floor(n / 2)].toFixed(3)
}

const out = {
  yjs: JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'yjs', 'package.json'))).version,
  node: process.version,
  updates: updates.length,
  ms: {
    // yjs's mergeUpdates re-sorts all its inputs on every step: one run of all 20,000 takes
    // seconds, so it runs once; the smaller merges show how it grows.
    mergeAll20000: median(1, () => Y.mergeUpdates(updates)),
    merge2000: median(3, () => Y.mergeUpdates(updates.slice(0, 2000))),
    incrementalMerge2000: median(3, () => {
      let acc = updates[0]
      for (let i = 1; i < 2000; i++) acc = Y.mergeUpdates([acc, updates[i]])
    }),
    diffHalf: median(20, () => Y.diffUpdate(merged, sv)),
    stateVector: median(20, () => Y.encodeStateVectorFromUpdate(merged))
  }
}
console.log(JSON.stringify(out))
