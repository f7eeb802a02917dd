// gccheck.mjs loads each <name>.merged and <name>.gc in the folder it is given (the Go test
// TestCondenseAgreesWithYjs writes them) into real yjs, and checks that both give the same
// document: Condense changes the bytes, never the content. Exit status 1 when any differ.
import * as Y from 'yjs'
import fs from 'node:fs'
const dir = process.argv[2]
const contentOf = (u) => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, u)
  const out = {}
  for (const [k, t] of doc.share) {
    out[k] = t instanceof Y.Text ? t.toDelta() : (t._map.size ? doc.getMap(k).toJSON() : t.toJSON())
  }
  // pending structs would mean the update did not integrate whole
  return JSON.stringify({ out, pending: doc.store.pendingStructs !== null, sv: Array.from(Y.encodeStateVector(doc)) }, (k, v) => typeof v === 'bigint' ? v.toString() + 'n' : (v instanceof Uint8Array ? Array.from(v) : v))
}
let ok = true
for (const f of fs.readdirSync(dir).filter(f => f.endsWith('.merged'))) {
  const base = f.replace('.merged', '')
  const a = contentOf(fs.readFileSync(dir + '/' + f))
  const b = contentOf(fs.readFileSync(dir + '/' + base + '.gc'))
  console.log(base, a === b ? 'same' : 'DIFFERENT')
  if (a !== b) { ok = false; console.log(a.slice(0, 300)); console.log(b.slice(0, 300)) }
}
process.exit(ok ? 0 : 1)
