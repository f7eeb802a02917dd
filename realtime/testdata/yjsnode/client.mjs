// One real yjs client per process, driven by Go tests (realtime/yjsnode_test.go) over
// stdin/stdout with JSON lines; see README.md for the protocol. Everything on stdout is
// protocol, so diagnostics go to stderr only.
//
//   node client.mjs '{"mode":"plain","url":"http://127.0.0.1:1234","room":"r1","doc":"d1","token":"..."}'
//   node client.mjs --mode mux --url http://127.0.0.1:1234 --room r1 --doc d1 --token ...

import * as readline from 'node:readline'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as authProtocol from 'y-protocols/auth'
import { WebsocketProvider, messageAuth } from 'y-websocket'

const messageSync = 0
const messageAwareness = 1
const messageQueryAwareness = 3

const cfg = parseArgs(process.argv.slice(2))
const label = cfg.name || `${cfg.mode}:${cfg.doc}`

function parseArgs (argv) {
  let c = {}
  if (argv.length === 1 && argv[0].startsWith('{')) {
    c = JSON.parse(argv[0])
  } else {
    for (let i = 0; i < argv.length; i += 2) {
      if (!argv[i].startsWith('--') || i + 1 >= argv.length) fatal(`bad argument ${argv[i]}`)
      c[argv[i].slice(2)] = argv[i + 1]
    }
  }
  if (c.mode !== 'plain' && c.mode !== 'mux') fatal(`mode must be plain or mux, not ${c.mode}`)
  for (const k of ['url', 'room', 'doc']) if (!c[k]) fatal(`missing ${k}`)
  return c
}

function fatal (msg) {
  console.error(`yjsnode: ${msg}`)
  process.exit(2)
}

function out (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function wsBase (httpURL) {
  return httpURL.replace(/\/+$/, '').replace(/^http/, 'ws')
}

const doc = new Y.Doc()
const text = doc.getText('t')
const map = doc.getMap('m')
const provider = cfg.mode === 'plain' ? startPlain() : startMux()

// "change" is coalesced: tests re-read the document on each one, so one per burst of remote
// updates is enough, and it is sent after the burst has been applied.
let changePending = false
doc.on('update', (_update, origin) => {
  if (origin !== provider.origin || changePending) return
  changePending = true
  setTimeout(() => { changePending = false; out({ event: 'change' }) }, 5)
})

provider.awareness.on('change', ({ added, updated, removed }, origin) => {
  if (origin === provider.origin) out({ event: 'awareness', added, updated, removed })
})

// The stock y-websocket client, exactly as a browser widget would build it (PROTOCOL.md §6),
// with Node's missing WebSocket supplied. disableBc: each process holds one client, so the
// cross-tab BroadcastChannel could only add noise.
function startPlain () {
  const params = cfg.token ? { token: cfg.token } : {}
  const p = new WebsocketProvider(`${wsBase(cfg.url)}/v1/rooms/${cfg.room}/yjs`, cfg.doc, doc, {
    params, WebSocketPolyfill: WebSocket, disableBc: true
  })
  // y-websocket only console.warns a permission denial, from a module-private function; the
  // provider's own copy of the message handler table is the one place to observe it.
  p.messageHandlers[messageAuth] = (_enc, dec, prov) => {
    authProtocol.readAuthMessage(dec, prov.doc, (_doc, reason) => out({ event: 'authDenied', reason }))
  }
  p.on('status', ({ status }) => { if (status === 'connected') out({ event: 'connected' }) })
  p.on('sync', (synced) => { if (synced) out({ event: 'synced' }) })
  p.on('connection-close', (ev) => out({ event: 'closed', code: ev ? ev.code : null, reason: ev ? String(ev.reason || '') : 'local' }))
  p.on('connection-error', (ev) => console.error(`${label}: connection error: ${ev && ev.message}`))
  return {
    origin: p,
    awareness: p.awareness,
    synced: () => p.synced,
    close: () => closePlain(p)
  }
}

function closePlain (p) {
  const sock = p.ws
  p.destroy() // sends the awareness removal, then closes
  return sockClosed(sock)
}

// Resolves once the socket finished its closing handshake, so the server sees a clean close,
// or after a second, so a server that never answers cannot hold the process.
function sockClosed (sock) {
  if (!sock || sock.readyState === WebSocket.CLOSED) return Promise.resolve()
  return new Promise((resolve) => {
    sock.once('close', resolve)
    setTimeout(resolve, 1000)
  })
}

// The server's multiplexed main socket (PROTOCOL.md §4, §6): binary frames are
// varString(docName) + one y-protocols message, as Hocuspocus frames them; text frames are the
// JSON protocol and are only reported. One document, no reconnection: tests start a new client.
function startMux () {
  const awareness = new awarenessProtocol.Awareness(doc)
  const query = cfg.token ? `?token=${encodeURIComponent(cfg.token)}` : ''
  const sock = new WebSocket(`${wsBase(cfg.url)}/v1/rooms/${cfg.room}/ws${query}`)
  const self = { awareness, isSynced: false }
  self.origin = self
  self.synced = () => self.isSynced
  // frame starts a message for our document; send ships it when the socket is open.
  self.frame = () => {
    const enc = encoding.createEncoder()
    encoding.writeVarString(enc, cfg.doc)
    return enc
  }
  self.send = (enc) => { if (sock.readyState === WebSocket.OPEN) sock.send(encoding.toUint8Array(enc)) }
  self.sendAwareness = (clients) => {
    const enc = self.frame()
    encoding.writeVarUint(enc, messageAwareness)
    encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(awareness, clients))
    self.send(enc)
  }
  sock.on('open', () => {
    out({ event: 'connected' })
    const enc = self.frame()
    encoding.writeVarUint(enc, messageSync)
    syncProtocol.writeSyncStep1(enc, doc)
    self.send(enc)
    if (awareness.getLocalState() !== null) self.sendAwareness([doc.clientID])
  })
  sock.on('message', (data, isBinary) => {
    if (!isBinary) return out({ event: 'server', msg: parseJSON(data.toString()) })
    muxMessage(self, new Uint8Array(data))
  })
  sock.on('close', (code, reason) => out({ event: 'closed', code, reason: reason.toString() }))
  sock.on('error', (err) => console.error(`${label}: socket error: ${err.message}`))
  doc.on('update', (update, origin) => {
    if (origin === self) return
    const enc = self.frame()
    encoding.writeVarUint(enc, messageSync)
    syncProtocol.writeUpdate(enc, update)
    self.send(enc)
  })
  // Only our own state is announced: the server relays everyone else's.
  awareness.on('update', ({ added, updated, removed }, origin) => {
    if (origin !== self) self.sendAwareness(added.concat(updated, removed))
  })
  self.close = () => {
    awarenessProtocol.removeAwarenessStates(awareness, [doc.clientID], 'closing')
    sock.close(1000)
    return sockClosed(sock)
  }
  return self
}

function muxMessage (self, buf) {
  const dec = decoding.createDecoder(buf)
  const name = decoding.readVarString(dec)
  if (name !== cfg.doc) return console.error(`${label}: frame for another doc ${JSON.stringify(name)}`)
  const type = decoding.readVarUint(dec)
  const reply = self.frame()
  encoding.writeVarUint(reply, type === messageQueryAwareness ? messageAwareness : type)
  const empty = encoding.length(reply)
  switch (type) {
    case messageSync: {
      // Answers a SyncStep1 with a SyncStep2 into reply; applies a SyncStep2 or Update with
      // ourselves as origin, so it is neither echoed back nor mistaken for a local edit.
      const kind = syncProtocol.readSyncMessage(dec, reply, doc, self)
      if (kind === syncProtocol.messageYjsSyncStep2 && !self.isSynced) {
        self.isSynced = true
        out({ event: 'synced' })
      }
      break
    }
    case messageAwareness:
      awarenessProtocol.applyAwarenessUpdate(self.awareness, decoding.readVarUint8Array(dec), self)
      break
    case messageAuth:
      authProtocol.readAuthMessage(dec, doc, (_doc, reason) => out({ event: 'authDenied', reason }))
      break
    case messageQueryAwareness:
      encoding.writeVarUint8Array(reply, awarenessProtocol.encodeAwarenessUpdate(
        self.awareness, Array.from(self.awareness.getStates().keys())))
      break
    default:
      console.error(`${label}: unknown message type ${type}`)
  }
  if (encoding.length(reply) > empty) self.send(reply)
}

function parseJSON (s) {
  try {
    return JSON.parse(s)
  } catch {
    return s
  }
}

const b64 = (u8) => Buffer.from(u8).toString('base64')

// Each command answers an object that is sent with the command's id; a throw answers an error.
const commands = {
  insert: (c) => { text.insert(c.index, c.text, c.attrs || undefined); return { ok: true } },
  delete: (c) => { text.delete(c.index, c.length); return { ok: true } },
  format: (c) => { text.format(c.index, c.length, c.attrs); return { ok: true } },
  mapSet: (c) => { map.set(c.key, c.value); return { ok: true } },
  text: () => ({ text: text.toString() }),
  delta: () => ({ delta: text.toDelta() }),
  json: () => ({ json: { t: text.toJSON(), m: map.toJSON() } }),
  stateVector: () => ({ stateVector: b64(Y.encodeStateVector(doc)) }),
  update: () => ({ update: b64(Y.encodeStateAsUpdate(doc)) }),
  awareness: (c) => { provider.awareness.setLocalState(c.state); return { ok: true } },
  peers: () => ({ peers: Object.fromEntries(provider.awareness.getStates()), clientID: doc.clientID }),
  synced: () => ({ synced: provider.synced() })
}

async function handle (line) {
  let c
  try {
    c = JSON.parse(line)
  } catch (err) {
    return out({ id: null, error: `bad command line: ${err.message}` })
  }
  if (c.cmd === 'close') {
    await provider.close()
    // Exit only once the answer is written: the Go side waits for both.
    return process.stdout.write(JSON.stringify({ id: c.id, ok: true }) + '\n', () => process.exit(0))
  }
  const f = Object.hasOwn(commands, c.cmd) ? commands[c.cmd] : null
  if (!f) return out({ id: c.id, error: `unknown command ${JSON.stringify(c.cmd)}` })
  try {
    out({ id: c.id, ...f(c) })
  } catch (err) {
    out({ id: c.id, error: String(err && err.message ? err.message : err) })
  }
}

process.on('uncaughtException', (err) => {
  console.error(`${label}: ${err && err.stack ? err.stack : err}`)
  process.exit(1)
})

// Commands run strictly in order, so an answer reflects every earlier command.
let queue = Promise.resolve()
const lines = readline.createInterface({ input: process.stdin })
lines.on('line', (line) => { queue = queue.then(() => handle(line)) })
// The Go side closing stdin (or dying) ends the client: no orphan keeps a socket open.
lines.on('close', () => { queue.then(() => process.exit(0)) })

out({ event: 'started', clientID: doc.clientID, mode: cfg.mode })
