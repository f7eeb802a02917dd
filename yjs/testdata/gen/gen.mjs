// Generates the fixtures that the Go package yjs is checked against.
//
// Everything here is deterministic: a seeded PRNG drives several Y.Doc
// clients that edit concurrently and exchange updates out of order; the
// script then records what real yjs answers for mergeUpdates, diffUpdate and
// encodeStateVectorFromUpdate on those updates. See README.md.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const yjsVersion = JSON.parse(fs.readFileSync(new URL('./node_modules/yjs/package.json', import.meta.url))).version

// ---------------------------------------------------------------- randomness

// mulberry32: tiny, seedable, good enough to pick edits.
const makeRng = seed => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) // inclusive
  const pick = arr => arr[int(0, arr.length - 1)]
  const chance = p => next() < p
  const shuffle = arr => {
    const a = arr.slice()
    for (let i = a.length - 1; i > 0; i--) {
      const j = int(0, i)
      ;[a[i], a[j]] = [a[j], a[i]]
    }
    return a
  }
  return { next, int, pick, chance, shuffle }
}

const b64 = u8 => Buffer.from(u8).toString('base64')

// ---------------------------------------------------------------- values

const snippets = ['a', 'hello', ' ', 'ü', '日本語', '😀', '👩‍👩‍👧', '𝒳y', 'a😀b', '\n', 'tab\tx', '"quoted"', '\\', 'ŻÓŁW', '🇫🇷', 'x'.repeat(40)]

const randomString = rng => {
  let s = ''
  const n = rng.int(1, 3)
  for (let i = 0; i < n; i++) s += rng.pick(snippets)
  return s
}

// Plain values that lib0's "any" encoding can carry, covering every tag.
const randomAny = (rng, depth = 0) => {
  const k = rng.int(0, depth > 2 ? 12 : 15)
  switch (k) {
    case 0: return rng.int(-100, 100)
    case 1: return rng.pick([2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40 + 1, Number.MAX_SAFE_INTEGER, -0])
    case 2: return rng.pick([0.5, 0.1, -1.25e-10, 1e300, 3.14159, 2.5e-3])
    case 3: return randomString(rng)
    case 4: return rng.chance(0.5)
    case 5: return null
    case 6: return new Uint8Array([rng.int(0, 255), rng.int(0, 255), 0, 255])
    case 7: return rng.pick([-42n, 9007199254740993n, 0n])
    case 8: return ''
    case 9: return rng.int(0, 1e6)
    case 10: return rng.pick(['undefined', 'null', '{}'])
    case 11: return rng.pick([NaN, Infinity, -Infinity])
    case 12: return rng.chance(0.5) ? { 10: 1, 2: 'two', b: true, a: null } : undefined
    case 13:
    case 14: {
      const o = {}
      const n = rng.int(0, 3)
      for (let i = 0; i < n; i++) o[rng.pick(['k', 'name', '1', '0', 'emoji😀', 'nested'])] = randomAny(rng, depth + 1)
      return o
    }
    default: {
      const n = rng.int(0, 3)
      const a = []
      for (let i = 0; i < n; i++) a.push(randomAny(rng, depth + 1))
      return a
    }
  }
}

const randomAttrs = rng => rng.pick([
  { bold: true },
  { italic: true, color: '#ff0000' },
  { link: { href: 'https://example.org/' + rng.int(0, 9) } },
  { bold: null },
  { size: rng.int(8, 40) },
  {}
])

// ---------------------------------------------------------------- edits

let subdocCounter = 0

const editText = (rng, text) => {
  const len = text.length
  const r = rng.next()
  if (r < 0.5 || len === 0) {
    const pos = rng.int(0, len)
    const attrs = randomAttrs(rng)
    if (Object.keys(attrs).length > 0 && rng.chance(0.5)) text.insert(pos, randomString(rng), attrs)
    else text.insert(pos, randomString(rng))
  } else if (r < 0.75) {
    const pos = rng.int(0, len - 1)
    text.delete(pos, rng.int(1, Math.min(5, len - pos)))
  } else if (r < 0.9) {
    const pos = rng.int(0, len - 1)
    text.format(pos, rng.int(1, Math.min(6, len - pos)), randomAttrs(rng))
  } else {
    text.insertEmbed(rng.int(0, len), rng.pick([{ image: 'cat.png' }, { formula: 'e=mc^2', n: 1.5 }, 'embed-string']), rng.chance(0.5) ? { alt: 'x' } : {})
  }
}

const nestedValue = (rng) => {
  const r = rng.next()
  if (r < 0.12) {
    const m = new Y.Map()
    m.set('inner', randomAny(rng))
    m.set('n', rng.int(0, 9))
    return m
  } else if (r < 0.22) {
    const a = new Y.Array()
    a.insert(0, [[randomAny(rng)], { v: randomAny(rng) }])
    return a
  } else if (r < 0.28) {
    const t = new Y.Text()
    t.insert(0, randomString(rng), rng.chance(0.5) ? { bold: true } : undefined)
    return t
  } else if (r < 0.31) {
    subdocCounter++
    const opts = rng.pick([{}, { autoLoad: true }, { meta: { title: 'sub ' + subdocCounter } }, { gc: false, meta: 7 }])
    return new Y.Doc({ guid: 'subdoc-' + subdocCounter, ...opts })
  }
  return randomAny(rng)
}

const editMap = (rng, map) => {
  const keys = ['a', 'b', 'c', 'title', 'count', '1', 'emoji😀', 'nested']
  const key = rng.pick(keys)
  if (rng.chance(0.2) && map.has(key)) {
    map.delete(key)
  } else if (rng.chance(0.15)) {
    const inner = map.get('nested')
    if (inner instanceof Y.Map) inner.set(rng.pick(keys), randomAny(rng))
    else map.set('nested', nestedValue(rng))
  } else {
    map.set(key, nestedValue(rng))
  }
}

const editArray = (rng, arr) => {
  const len = arr.length
  const r = rng.next()
  if (r < 0.55 || len === 0) {
    const n = rng.int(1, 4)
    const vals = []
    for (let i = 0; i < n; i++) {
      const v = rng.chance(0.2) ? nestedValue(rng) : randomAny(rng)
      // Y.Array refuses a bare bigint or undefined; nested they are fine
      vals.push(typeof v === 'bigint' || v === undefined ? [v] : v)
    }
    arr.insert(rng.int(0, len), vals)
  } else if (r < 0.85) {
    const pos = rng.int(0, len - 1)
    arr.delete(pos, rng.int(1, Math.min(4, len - pos)))
  } else {
    // edit a nested type if there is one
    for (let i = 0; i < len; i++) {
      const v = arr.get(i)
      if (v instanceof Y.Map) { v.set('edited', rng.int(0, 99)); return }
      if (v instanceof Y.Array) { v.push([[randomAny(rng)]]); return }
      if (v instanceof Y.Text) { v.insert(0, randomString(rng)); return }
    }
    arr.push([{ pushed: randomAny(rng) }])
  }
}

const editXml = (rng, frag) => {
  const len = frag.length
  const r = rng.next()
  if (r < 0.35 || len === 0) {
    const kind = rng.int(0, 3)
    let node
    if (kind === 0) {
      node = new Y.XmlElement(rng.pick(['p', 'h1', 'ul', 'custom-node']))
      node.setAttribute('class', rng.pick(['a', 'b']))
      const t = new Y.XmlText()
      t.insert(0, randomString(rng), rng.chance(0.5) ? { bold: true } : {})
      node.insert(0, [t])
    } else if (kind === 1) {
      node = new Y.XmlText()
      node.insert(0, randomString(rng))
      node.format(0, 1, { italic: true })
    } else if (kind === 2) {
      node = new Y.XmlHook(rng.pick(['hook-a', 'hook-b']))
      node.set('data', randomAny(rng))
    } else {
      node = new Y.XmlElement('div')
      node.setAttribute('data-n', String(rng.int(0, 99)))
      node.insert(0, [new Y.XmlElement('span')])
    }
    frag.insert(rng.int(0, len), [node])
  } else if (r < 0.55) {
    const pos = rng.int(0, len - 1)
    frag.delete(pos, 1)
  } else {
    const node = frag.get(rng.int(0, len - 1))
    if (node instanceof Y.XmlElement) {
      if (rng.chance(0.5)) node.setAttribute(rng.pick(['class', 'id', 'title']), randomString(rng))
      else if (rng.chance(0.5)) node.removeAttribute('class')
      else {
        const t = new Y.XmlText()
        t.insert(0, randomString(rng))
        node.insert(node.length, [t])
      }
    } else if (node instanceof Y.XmlText) {
      editText(rng, node)
    } else if (node instanceof Y.XmlHook) {
      node.set('data', randomAny(rng))
    }
  }
}

const edit = (rng, doc) => {
  const r = rng.next()
  doc.transact(() => {
    if (r < 0.35) editText(rng, doc.getText('text'))
    else if (r < 0.55) editMap(rng, doc.getMap('map'))
    else if (r < 0.75) editArray(rng, doc.getArray('array'))
    else if (r < 0.92) editXml(rng, doc.getXmlFragment('xml'))
    else {
      // a transaction touching several types at once
      editText(rng, doc.getText('text'))
      editMap(rng, doc.getMap('map'))
      editArray(rng, doc.getArray('array'))
    }
  })
}

// ---------------------------------------------------------------- content

// toPlain turns a document's content into JSON-safe data for load-back checks.
const toPlain = v => {
  if (v instanceof Y.XmlFragment || v instanceof Y.XmlElement || v instanceof Y.XmlHook) {
    if (v instanceof Y.XmlHook) return { hook: v.hookName, data: toPlain(v.toJSON()) }
    return { xml: v.toString() }
  }
  if (v instanceof Y.XmlText) return { xmlText: toPlain(v.toDelta()) }
  if (v instanceof Y.Text) return { text: toPlain(v.toDelta()) }
  if (v instanceof Y.Map) {
    const o = {}
    for (const k of [...v.keys()].sort()) o[k] = toPlain(v.get(k))
    return { map: o }
  }
  if (v instanceof Y.Array) return { array: v.toArray().map(toPlain) }
  if (v instanceof Y.Doc) return { subdoc: v.guid, meta: toPlain(v.meta) }
  if (v instanceof Uint8Array) return { binary: b64(v) }
  if (typeof v === 'bigint') return { bigint: v.toString() }
  if (v === undefined) return { undefined: true }
  if (typeof v === 'number' && !Number.isFinite(v)) return { number: String(v) }
  if (typeof v === 'number' && Object.is(v, -0)) return { number: '-0' }
  if (Array.isArray(v)) return v.map(toPlain)
  if (v !== null && typeof v === 'object') {
    const o = {}
    for (const k of Object.keys(v)) o[k] = toPlain(v[k])
    return o
  }
  return v
}

const docContent = doc => ({
  text: toPlain(doc.getText('text')),
  map: toPlain(doc.getMap('map')),
  array: toPlain(doc.getArray('array')),
  xml: toPlain(doc.getXmlFragment('xml'))
})

const contentOf = update => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return docContent(doc)
}

const sameJSON = (a, b) => JSON.stringify(a) === JSON.stringify(b)

// ---------------------------------------------------------------- histories

const REMOTE = 'remote'

const runHistory = (seed, { clients: nClients, steps }) => {
  const rng = makeRng(seed)
  subdocCounter = seed * 1000
  const docs = []
  const inbox = []
  const log = [] // every update we record, in order
  const svSnapshots = [] // state vectors taken mid-history
  for (let i = 0; i < nClients; i++) {
    // client ids: mixed sizes, including ones above 2^32 (yjs allows up to 2^53)
    const doc = new Y.Doc({ gc: i !== 0 })
    doc.clientID = [rng.int(1, 127), rng.int(128, 70000), rng.int(1e6, 4e9), 2 ** 40 + rng.int(0, 1e6), rng.int(1, 2 ** 31)][i % 5] + i
    docs.push(doc)
    inbox.push([])
    doc.on('update', (u, origin) => {
      if (origin === REMOTE) return
      log.push(u)
      for (let j = 0; j < nClients; j++) if (j !== i) inbox[j].push(u)
    })
  }
  const deliver = (j, count) => {
    for (let k = 0; k < count && inbox[j].length > 0; k++) {
      const idx = rng.int(0, inbox[j].length - 1) // out of order on purpose
      const [u] = inbox[j].splice(idx, 1)
      Y.applyUpdate(docs[j], u, REMOTE)
    }
  }
  const syncPair = (a, b, record) => {
    const u = Y.encodeStateAsUpdate(docs[b], Y.encodeStateVector(docs[a]))
    if (record) log.push(u)
    Y.applyUpdate(docs[a], u, REMOTE)
  }
  for (let s = 0; s < steps; s++) {
    const r = rng.next()
    const c = rng.int(0, nClients - 1)
    if (r < 0.62) edit(rng, docs[c])
    else if (r < 0.85) deliver(c, rng.int(1, 6))
    else if (r < 0.93) syncPair(c, (c + rng.int(1, nClients - 1)) % nClients, true)
    else if (r < 0.96) log.push(Y.encodeStateAsUpdate(docs[c]))
    else svSnapshots.push(Y.encodeStateVector(docs[c]))
  }
  for (let j = 0; j < nClients; j++) deliver(j, Infinity)
  for (let a = 0; a < nClients; a++) for (let b = 0; b < nClients; b++) if (a !== b) syncPair(a, b, false)
  const content = docContent(docs[0])
  for (let j = 1; j < nClients; j++) {
    if (!sameJSON(docContent(docs[j]), content)) throw new Error(`seed ${seed}: clients disagree`)
  }
  return { rng, docs, log, svSnapshots, content }
}

// randomSV builds a state vector that cuts into structs at random places, so
// diffUpdate has to slice items (including inside surrogate pairs).
const randomSV = (rng, fullSV) => {
  const m = new Map()
  for (const [client, clock] of Y.decodeStateVector(fullSV)) {
    if (rng.chance(0.7)) m.set(client, rng.int(0, clock + 2))
  }
  if (rng.chance(0.3)) m.set(424242, 5) // a client the update does not know
  return Y.encodeStateVector(m)
}

const buildHistoryFixture = (name, seed, shape) => {
  const { rng, log, svSnapshots, content } = runHistory(seed, shape)
  const refs = new Map() // ref -> bytes
  log.forEach((u, i) => refs.set('update:' + i, u))
  const merges = []
  const diffs = []
  const stateVectors = []
  const addMerge = inputs => {
    const result = Y.mergeUpdates(inputs.map(r => refs.get(r)))
    refs.set('merge:' + merges.length, result)
    merges.push({ inputs, result: b64(result) })
    return 'merge:' + (merges.length - 1)
  }
  const addDiff = (input, sv) => {
    const result = Y.diffUpdate(refs.get(input), sv)
    refs.set('diff:' + diffs.length, result)
    diffs.push({ input, sv: b64(sv), result: b64(result) })
    return 'diff:' + (diffs.length - 1)
  }
  const addSV = input => stateVectors.push({ input, result: b64(Y.encodeStateVectorFromUpdate(refs.get(input))) })

  const all = log.map((_, i) => 'update:' + i)
  const mergedAll = addMerge(all)
  if (!sameJSON(contentOf(refs.get(mergedAll)), content)) throw new Error(name + ': merged content differs')

  // out-of-order subsets, then a merge of those merges (exercises Skip structs)
  const subsets = []
  for (let k = 0; k < 4; k++) {
    const picked = rng.shuffle(all).slice(0, rng.int(2, Math.max(2, Math.floor(all.length / 2))))
    subsets.push(addMerge(picked))
  }
  addMerge(subsets)
  addMerge(rng.shuffle(subsets))
  addMerge(rng.shuffle(all))

  const fullSV = Y.encodeStateVectorFromUpdate(refs.get(mergedAll))
  const svs = [new Uint8Array([0]), fullSV, ...svSnapshots.slice(0, 3)]
  for (let k = 0; k < 6; k++) svs.push(randomSV(rng, fullSV))
  for (const sv of svs) addDiff(mergedAll, sv)
  for (const sub of subsets.slice(0, 2)) addDiff(sub, rng.pick(svs))
  for (let k = 0; k < 6; k++) addDiff(rng.pick(all), rng.pick(svs))

  // merges that overlap partially: sliced diffs against whole updates
  const diffRefs = diffs.map((_, i) => 'diff:' + i)
  for (let k = 0; k < 4; k++) {
    addMerge(rng.shuffle([...rng.shuffle(diffRefs).slice(0, 3), ...rng.shuffle(all).slice(0, 3)]))
  }

  // incremental compaction, the way a server folds updates one at a time
  let acc = refs.get(all[0])
  for (let i = 1; i < all.length; i++) acc = Y.mergeUpdates([acc, refs.get(all[i])])

  for (const r of all) addSV(r)
  for (let i = 0; i < merges.length; i++) addSV('merge:' + i)
  for (let i = 0; i < diffs.length; i++) addSV('diff:' + i)

  return {
    name,
    seed,
    yjs: yjsVersion,
    updates: log.map(b64),
    merges,
    diffs,
    stateVectors,
    incremental: b64(acc),
    content
  }
}

// ---------------------------------------------------------------- hand-made updates

const legacyContent = update => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return { legacy: toPlain(doc.getArray('legacy')), legacyMap: toPlain(doc.getMap('legacyMap')) }
}

// Updates that current yjs clients do not write themselves but still reads:
// legacy ContentJSON (written by old yjs versions), an empty update, and a
// delete-set-only update.
const handmade = () => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1) // one client
  encoding.writeVarUint(e, 3) // three structs
  encoding.writeVarUint(e, 77) // client
  encoding.writeVarUint(e, 0) // clock
  // Item, ContentJSON, parent = root "legacy"
  encoding.writeUint8(e, 2)
  encoding.writeVarUint(e, 1)
  encoding.writeVarString(e, 'legacy')
  encoding.writeVarUint(e, 3)
  encoding.writeVarString(e, '{"a":1}')
  encoding.writeVarString(e, 'undefined')
  encoding.writeVarString(e, '[1,"x",null]')
  // Item with origin (77,2), ContentJSON
  encoding.writeUint8(e, 2 | 128)
  encoding.writeVarUint(e, 77)
  encoding.writeVarUint(e, 2)
  encoding.writeVarUint(e, 2)
  encoding.writeVarString(e, '"s"')
  encoding.writeVarString(e, '2.5')
  // map entry with parentSub under root "legacyMap", ContentAny
  encoding.writeUint8(e, 8 | 32)
  encoding.writeVarUint(e, 1)
  encoding.writeVarString(e, 'legacyMap')
  encoding.writeVarString(e, 'k')
  encoding.writeVarUint(e, 1)
  encoding.writeAny(e, { x: [1, 2.5, 'y'] })
  // delete set: client 77 deletes clock 1
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, 77)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, 1)
  const legacy = encoding.toUint8Array(e)

  const d = encoding.createEncoder()
  encoding.writeVarUint(d, 0)
  encoding.writeVarUint(d, 2)
  for (const [client, ranges] of [[5, [[0, 2], [10, 1]]], [900, [[3, 4]]]]) {
    encoding.writeVarUint(d, client)
    encoding.writeVarUint(d, ranges.length)
    for (const [clock, len] of ranges) { encoding.writeVarUint(d, clock); encoding.writeVarUint(d, len) }
  }
  const deletesOnly = encoding.toUint8Array(d)

  const empty = new Uint8Array([0, 0])
  const updates = [legacy, deletesOnly, empty]
  const cases = updates.map((u, i) => ({
    update: b64(u),
    stateVector: b64(Y.encodeStateVectorFromUpdate(u)),
    diffEmpty: b64(Y.diffUpdate(u, new Uint8Array([0]))),
    content: legacyContent(u),
    name: ['legacy-json', 'deletes-only', 'empty'][i]
  }))
  return {
    yjs: yjsVersion,
    cases,
    mergeAll: b64(Y.mergeUpdates(updates)),
    mergeNone: b64(Y.mergeUpdates([]))
  }
}

// ---------------------------------------------------------------- malformed

// Variations of valid updates: truncated, bit-flipped, overwritten, with
// huge length prefixes and trailing bytes. We record whether yjs itself
// decodes each (Y.decodeUpdate reads every struct and the delete set).
const malformed = (sources) => {
  const rng = makeRng(9001)
  const cases = []
  const outcome = u => {
    try {
      Y.decodeUpdate(u)
      return 'accepts'
    } catch (err) {
      return 'throws'
    }
  }
  const add = (kind, u) => cases.push({ kind, update: b64(u), yjs: outcome(u) })
  for (const src of sources) {
    for (let cut = 1; cut < src.length; cut += Math.max(1, Math.floor(src.length / 12))) add('truncated', src.slice(0, cut))
    for (let k = 0; k < 12; k++) {
      const u = src.slice()
      const pos = rng.int(0, u.length - 1)
      u[pos] ^= 1 << rng.int(0, 7)
      add('bitflip', u)
    }
    for (let k = 0; k < 4; k++) {
      const u = src.slice()
      u[rng.int(0, u.length - 1)] = rng.pick([0x00, 0x7f, 0x80, 0xff, 0x0a, 0x09])
      add('overwrite', u)
    }
    const trailing = new Uint8Array(src.length + 3)
    trailing.set(src)
    trailing.set([1, 2, 3], src.length)
    add('trailing', trailing)
  }
  // adversarial length prefixes and counts
  const huge = [
    [0xff, 0xff, 0xff, 0xff, 0x0f], // 4G clients, nothing follows
    [1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 0], // 4G structs
    [1, 1, 1, 0, 4, 1, 4, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x61], // string of 4 GiB
    [1, 1, 1, 0, 8, 1, 4, 0x61, 0x61, 0x61, 0x61, 1, 0x75, 0xff, 0xff, 0xff, 0x7f], // any array of 268M
    [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // varUint overflow
    [1, 1, 1, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0], // GC of 2^53 length
    [0, 1, 5, 0xff, 0xff, 0xff, 0x0f] // delete set with 32M ranges
  ]
  for (const h of huge) add('adversarial', new Uint8Array(h))
  const random = new Uint8Array(24)
  for (let i = 0; i < random.length; i++) random[i] = rng.int(0, 255)
  add('random', random)
  return { yjs: yjsVersion, cases }
}

// ---------------------------------------------------------------- typing history

const typingHistory = () => {
  const rng = makeRng(20000)
  const doc = new Y.Doc()
  doc.clientID = 1234567
  const text = doc.getText('text')
  const updates = []
  doc.on('update', u => updates.push(u))
  const halfSV = []
  while (updates.length < 20000) {
    const len = text.length
    if (len > 0 && rng.chance(0.07)) {
      text.delete(len - 1, 1) // backspace
    } else if (len > 10 && rng.chance(0.03)) {
      text.insert(rng.int(0, len), rng.pick(['x', 'é', '😀'])) // cursor moved
    } else {
      text.insert(len, rng.pick(['a', 'b', 'c', ' ', 'e', 'n', 't', '.']))
    }
    if (updates.length === 10000 && halfSV.length === 0) halfSV.push(Y.encodeStateVector(doc))
  }
  const t0 = performance.now()
  const merged = Y.mergeUpdates(updates)
  const t1 = performance.now()
  const sv = halfSV[0]
  const diff = Y.diffUpdate(merged, sv)
  const t2 = performance.now()
  const mergedSV = Y.encodeStateVectorFromUpdate(merged)
  const t3 = performance.now()
  // a second round to have a warm number too
  const t4 = performance.now()
  Y.diffUpdate(merged, sv)
  const t5 = performance.now()
  let acc = updates[0]
  const t6 = performance.now()
  for (let i = 1; i < 2000; i++) acc = Y.mergeUpdates([acc, updates[i]])
  const t7 = performance.now()

  if (!sameJSON(contentOf(merged), docContent(doc))) throw new Error('typing: merged content differs')

  const e = encoding.createEncoder()
  encoding.writeVarUint(e, updates.length)
  for (const u of updates) encoding.writeVarUint8Array(e, u)
  encoding.writeVarUint8Array(e, merged)
  encoding.writeVarUint8Array(e, sv)
  encoding.writeVarUint8Array(e, diff)
  encoding.writeVarUint8Array(e, mergedSV)
  encoding.writeVarUint8Array(e, acc)
  const bin = zlib.gzipSync(encoding.toUint8Array(e), { level: 9 })
  // gzip writes the OS byte and mtime 0; keep the output reproducible anyway
  fs.writeFileSync(path.join(outDir, 'typing.bin.gz'), bin)
  const meta = {
    yjs: yjsVersion,
    node: process.version,
    updates: updates.length,
    mergedBytes: merged.length,
    textLength: text.length,
    layout: 'gzip of lib0: varUint(n), n x varUint8Array(update), then varUint8Array of: merged, sv (state after 10000 updates), diffUpdate(merged, sv), encodeStateVectorFromUpdate(merged), incremental merge of the first 2000 updates',
    timingsMs: {
      mergeUpdatesAll: +(t1 - t0).toFixed(2),
      diffUpdateHalf: +(t2 - t1).toFixed(2),
      diffUpdateHalfWarm: +(t5 - t4).toFixed(2),
      encodeStateVectorFromUpdate: +(t3 - t2).toFixed(2),
      incrementalMerge2000: +(t7 - t6).toFixed(2)
    }
  }
  fs.writeFileSync(path.join(outDir, 'typing.json'), JSON.stringify(meta, null, 2) + '\n')
  console.log('typing history:', JSON.stringify(meta.timingsMs))
}

// ---------------------------------------------------------------- V8's sort

// yjs's mergeUpdates re-sorts its inputs with a comparator that is not
// consistent for an Item and a GC at the same ID (it answers -1 both ways),
// so which one wins depends on how V8's Array.prototype.sort (TimSort)
// compares. The Go port of that sort is checked against these cases.
const v8sortCases = () => {
  const rng = makeRng(777)
  const cmp = (a, b) => {
    if (a[0] === b[0]) {
      const clockDiff = a[1] - b[1]
      if (clockDiff === 0) return a[2] === b[2] ? 0 : -1
      return clockDiff
    }
    return b[0] - a[0]
  }
  const cases = []
  const lengths = [1, 2, 3, 5, 8, 13, 31, 63, 64, 65, 100, 127, 128, 129, 200, 257, 500, 1000]
  for (const n of lengths) {
    for (let variant = 0; variant < 4; variant++) {
      const keys = rng.int(1, Math.max(1, Math.floor(n / (variant + 1))))
      let arr = []
      for (let i = 0; i < n; i++) arr.push([rng.int(0, 3), rng.int(0, keys), rng.int(0, 1)])
      if (variant >= 2) {
        // the shape the merge sorts: sorted, then the first element moved
        arr.sort((a, b) => b[0] - a[0] || a[1] - b[1])
        arr[0] = [rng.int(0, 3), rng.int(0, keys), rng.int(0, 1)]
      }
      const tagged = arr.map((v, i) => [...v, i])
      tagged.sort(cmp)
      cases.push({ elements: arr, order: tagged.map(v => v[3]) })
    }
  }
  // concatenated sorted and reversed runs of uneven lengths: these drive
  // TimSort's run merging and galloping
  for (const n of [300, 700, 1500, 3000]) {
    for (let variant = 0; variant < 3; variant++) {
      const arr = []
      while (arr.length < n) {
        const run = []
        const len = rng.int(1, variant === 0 ? 40 : 400)
        for (let i = 0; i < len; i++) run.push([rng.int(0, 2), rng.int(0, 60), rng.int(0, 1)])
        run.sort((a, b) => b[0] - a[0] || a[1] - b[1])
        if (rng.chance(0.3)) run.reverse()
        arr.push(...run)
      }
      arr.length = n
      const tagged = arr.map((v, i) => [...v, i])
      tagged.sort(cmp)
      cases.push({ elements: arr, order: tagged.map(v => v[3]) })
    }
  }
  return { node: process.version, cases }
}

// ---------------------------------------------------------------- main

const shapes = [
  { clients: 2, steps: 60 },
  { clients: 3, steps: 120 },
  { clients: 4, steps: 160 },
  { clients: 5, steps: 200 },
  { clients: 3, steps: 250 },
  { clients: 5, steps: 120 }
]
const sources = []
shapes.forEach((shape, i) => {
  const name = `history-${String(i + 1).padStart(2, '0')}`
  const fx = buildHistoryFixture(name, 101 + i, shape)
  fs.writeFileSync(path.join(outDir, name + '.json'), JSON.stringify(fx) + '\n')
  console.log(name, 'updates', fx.updates.length, 'merges', fx.merges.length, 'diffs', fx.diffs.length)
  if (i < 2) {
    sources.push(Buffer.from(fx.merges[0].result, 'base64'))
    sources.push(Buffer.from(fx.updates[fx.updates.length - 1], 'base64'))
  }
})
fs.writeFileSync(path.join(outDir, 'handmade.json'), JSON.stringify(handmade(), null, 1) + '\n')
fs.writeFileSync(path.join(outDir, 'malformed.json'), JSON.stringify(malformed(sources.map(s => new Uint8Array(s)))) + '\n')
fs.writeFileSync(path.join(outDir, 'v8sort.json'), JSON.stringify(v8sortCases()) + '\n')
typingHistory()
