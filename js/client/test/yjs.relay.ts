// An in-memory stand-in for the server's Yjs side (realtime/docsession.go, awareness.go), with
// BinaryChannels connected to it. It relays as the server does: SyncStep1 joins the document and
// is answered with SyncStep2 then the server's SyncStep1; updates are stored and relayed to the
// document's other sockets, never back to the sender; awareness is relayed, remembered for
// query-awareness and announced gone when a socket closes; a read-only socket's updates are
// refused with a doc error. Deliveries are asynchronous, as over a network.
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import type { BinaryChannel, ConnectionState } from '../src/channel.js'
import type { ErrorCode } from '../src/errors.js'

/** Waits until cond holds, polling; fails after ms (default two seconds). */
export async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

type DocError = { doc: string; code: ErrorCode; message: string }

interface AwarenessEntry { clientID: number; clock: number; state: string }

export class Relay {
  readonly docs = new Map<string, Y.Doc>()
  private readonly peers = new Map<string, Set<FakeChannel>>()
  private readonly aware = new Map<string, Map<number, AwarenessEntry>>()
  /** Every frame any channel sent, decoded enough to count them. */
  readonly received: { from: FakeChannel; doc: string; type: number; sub?: number }[] = []

  channel(options: { readOnly?: boolean; missing?: string[] } = {}): FakeChannel {
    return new FakeChannel(this, options.readOnly ?? false, new Set(options.missing ?? []))
  }

  doc(name: string): Y.Doc {
    let d = this.docs.get(name)
    if (d === undefined) this.docs.set(name, (d = new Y.Doc()))
    return d
  }

  handle(from: FakeChannel, frame: Uint8Array): void {
    const dec = decoding.createDecoder(frame)
    const name = decoding.readVarString(dec)
    const type = decoding.readVarUint(dec)
    if (from.missing.has(name)) return from.docError({ doc: name, code: 'not_found', message: 'no such record' })
    if (type === 0) {
      const sub = decoding.readVarUint(dec)
      const payload = decoding.readVarUint8Array(dec)
      this.received.push({ from, doc: name, type, sub })
      return sub === syncProtocol.messageYjsSyncStep1 ? this.open(from, name, payload) : this.write(from, name, payload)
    }
    this.received.push({ from, doc: name, type })
    if (type === 1) return this.awareness(from, name, decoding.readVarUint8Array(dec))
    if (type === 3) return this.answerQuery(from, name)
  }

  private open(from: FakeChannel, name: string, clientSV: Uint8Array): void {
    let set = this.peers.get(name)
    if (set === undefined) this.peers.set(name, (set = new Set()))
    set.add(from)
    from.opened.set(name, new Set())
    const doc = this.doc(name)
    from.deliver(frame(name, 0, (e) => { encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, clientSV)) }))
    from.deliver(frame(name, 0, (e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint8Array(e, Y.encodeStateVector(doc)) }))
  }

  private write(from: FakeChannel, name: string, update: Uint8Array): void {
    if (update.length === 2 && update[0] === 0 && update[1] === 0) return // the empty update
    if (from.readOnly) return from.docError({ doc: name, code: 'forbidden', message: 'editing this document needs a higher role' })
    Y.applyUpdate(this.doc(name), update)
    this.toPeers(name, from, frame(name, 0, (e) => { encoding.writeVarUint(e, 2); encoding.writeVarUint8Array(e, update) }))
  }

  private awareness(from: FakeChannel, name: string, update: Uint8Array): void {
    const mine = from.opened.get(name)
    if (mine === undefined) return // awareness belongs to an opened document
    const states = this.states(name)
    for (const e of decodeAwareness(update)) {
      if (e.state === 'null') {
        mine.delete(e.clientID)
        states.delete(e.clientID)
      } else {
        mine.add(e.clientID)
        states.set(e.clientID, e)
      }
    }
    this.toPeers(name, from, frame(name, 1, (e) => encoding.writeVarUint8Array(e, update)))
  }

  private answerQuery(from: FakeChannel, name: string): void {
    const entries = [...this.states(name).values()]
    if (from.opened.has(name) && entries.length > 0) from.deliver(frame(name, 1, (e) => encoding.writeVarUint8Array(e, encodeAwareness(entries))))
  }

  /** The socket closed: it leaves its documents, its awareness clients announced gone. */
  leave(ch: FakeChannel): void {
    for (const [name, clients] of ch.opened) {
      this.peers.get(name)?.delete(ch)
      const states = this.states(name)
      const gone = [...clients].map((id) => ({ clientID: id, clock: (states.get(id)?.clock ?? 0) + 1, state: 'null' }))
      for (const id of clients) states.delete(id)
      if (gone.length > 0) this.toPeers(name, null, frame(name, 1, (e) => encoding.writeVarUint8Array(e, encodeAwareness(gone))))
    }
    ch.opened.clear()
  }

  private toPeers(name: string, except: FakeChannel | null, f: Uint8Array): void {
    for (const p of this.peers.get(name) ?? []) if (p !== except) p.deliver(f)
  }

  private states(name: string): Map<number, AwarenessEntry> {
    let m = this.aware.get(name)
    if (m === undefined) this.aware.set(name, (m = new Map()))
    return m
  }
}

export class FakeChannel implements BinaryChannel {
  state: ConnectionState = 'connecting'
  readonly opened = new Map<string, Set<number>>()
  private readonly stateListeners = new Set<(s: ConnectionState) => void>()
  private readonly binaryListeners = new Set<(f: Uint8Array) => void>()
  private readonly errorListeners = new Set<(e: DocError) => void>()

  constructor(private readonly relay: Relay, readonly readOnly: boolean, readonly missing: Set<string>) {}

  /** The socket opens (again). */
  open(): void { this.setState('open') }

  /** The socket drops: the relay forgets it, as the server does. */
  drop(next: ConnectionState = 'reconnecting'): void {
    this.relay.leave(this)
    this.setState(next)
  }

  private setState(s: ConnectionState): void {
    this.state = s
    for (const l of [...this.stateListeners]) l(s)
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  sendBinary(f: Uint8Array): boolean {
    if (this.state !== 'open') return false
    const copy = f.slice()
    setTimeout(() => { if (this.state === 'open') this.relay.handle(this, copy) }, 0)
    return true
  }

  onBinary(listener: (f: Uint8Array) => void): () => void {
    this.binaryListeners.add(listener)
    return () => this.binaryListeners.delete(listener)
  }

  onDocError(listener: (e: DocError) => void): () => void {
    this.errorListeners.add(listener)
    return () => this.errorListeners.delete(listener)
  }

  deliver(f: Uint8Array): void {
    setTimeout(() => { if (this.state === 'open') for (const l of [...this.binaryListeners]) l(f) }, 0)
  }

  docError(e: DocError): void {
    setTimeout(() => { for (const l of [...this.errorListeners]) l(e) }, 0)
  }
}

function frame(name: string, type: number, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarString(e, name)
  encoding.writeVarUint(e, type)
  write(e)
  return encoding.toUint8Array(e)
}

function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  const dec = decoding.createDecoder(update)
  const n = decoding.readVarUint(dec)
  const out: AwarenessEntry[] = []
  for (let i = 0; i < n; i++) {
    out.push({ clientID: decoding.readVarUint(dec), clock: decoding.readVarUint(dec), state: decoding.readVarString(dec) })
  }
  return out
}

function encodeAwareness(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, entries.length)
  for (const x of entries) {
    encoding.writeVarUint(e, x.clientID)
    encoding.writeVarUint(e, x.clock)
    encoding.writeVarString(e, x.state)
  }
  return encoding.toUint8Array(e)
}
