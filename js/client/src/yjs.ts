/**
 * `@recordroom/client/yjs`: a Yjs provider over the room socket's binary frames (PROTOCOL.md §6,
 * docs/protocol.md "Yjs decisions"). Each frame is varString(docName) followed by one
 * y-protocols message, so any number of documents share one socket.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import type { BinaryChannel, ConnectionState } from './channel.js'
import { RecordRoomError } from './errors.js'

/** The y-protocols message types on the wire. */
const messageSync = 0
const messageAwareness = 1
const messageQueryAwareness = 3

export interface OpenDocOptions {
  /** The document to synchronise; default a new Y.Doc. */
  readonly doc?: Y.Doc
  /**
   * The server refused a message about this document (PROTOCOL.md §6): `forbidden` (a viewer's
   * edit, a document no longer readable), `not_found`, `bad_request`, `too_large`. Without it,
   * errors are only visible as `whenSynced` rejecting before the first sync.
   */
  readonly onError?: (error: RecordRoomError) => void
}

/** One document kept in sync with the server. */
export interface DocProvider {
  readonly name: string
  readonly doc: Y.Doc
  /** Who else is in the document (cursors, names): relayed by the server, never stored. */
  readonly awareness: awarenessProtocol.Awareness
  /** True once the server's state is applied, until the connection drops. */
  readonly synced: boolean
  /**
   * Resolves at the first sync. Rejects if the document cannot be opened (the server's error
   * arrives first), the connection ends for good, or the provider is destroyed before then.
   */
  readonly whenSynced: Promise<void>
  /** Called whenever `synced` changes; returns the function that stops it. */
  onSynced(listener: (synced: boolean) => void): () => void
  /** Announces the local awareness state gone and stops synchronising. The doc is left as it is. */
  destroy(): void
}

/**
 * Opens the document `name` over the channel (a `connect()` result): a free document
 * ("notes/intro", readable by viewers, writable by members) or a field document
 * `<collection>/<recordId>/<field>` following that record's rules (see `fieldDocName`). Open a
 * name once per connection: the server relays an update to every other socket of the document,
 * not to the socket it came from, so two providers of one name on one connection do not see
 * each other's edits.
 */
export function openDoc(channel: BinaryChannel, name: string, options: OpenDocOptions = {}): DocProvider {
  return new Provider(channel, name, options)
}

/** The name of the field document of a record's field. */
export function fieldDocName(collection: string, recordId: string, field: string): string {
  for (const part of [collection, recordId, field]) {
    if (part === '' || part.includes('/')) {
      throw new RecordRoomError('bad_request', `a field document's parts are non-empty and hold no "/": got ${JSON.stringify(part)}`)
    }
  }
  return `${collection}/${recordId}/${field}`
}

class Provider implements DocProvider {
  readonly doc: Y.Doc
  readonly awareness: awarenessProtocol.Awareness
  readonly whenSynced: Promise<void>
  private isSynced = false
  private readonly prefix: Uint8Array
  private readonly syncedListeners = new Set<(synced: boolean) => void>()
  private readonly stops: (() => void)[] = []
  private settleFirstSync: { resolve: () => void; reject: (e: RecordRoomError) => void } | null = null
  private destroyed = false

  constructor(private readonly channel: BinaryChannel, readonly name: string, private readonly options: OpenDocOptions) {
    this.doc = options.doc ?? new Y.Doc()
    this.awareness = new awarenessProtocol.Awareness(this.doc)
    const prefix = encoding.createEncoder()
    encoding.writeVarString(prefix, name)
    this.prefix = encoding.toUint8Array(prefix)
    this.whenSynced = new Promise<void>((resolve, reject) => { this.settleFirstSync = { resolve, reject } })
    // Awaiting whenSynced is optional: a rejection nobody awaits must not be reported as unhandled.
    this.whenSynced.catch(() => undefined)
    this.listen()
    this.onState(channel.state) // open: sync now; closed for good: whenSynced rejects
  }

  private listen(): void {
    const onUpdate = (update: Uint8Array, origin: unknown): void => {
      if (origin !== this) this.send(messageSync, (enc) => syncProtocol.writeUpdate(enc, update))
    }
    const onAwareness = (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
      const mine = this.doc.clientID
      const changed = change.added.includes(mine) || change.updated.includes(mine) || change.removed.includes(mine)
      if (origin !== this && changed) this.sendAwareness()
    }
    const onDocDestroy = (): void => this.destroy()
    this.doc.on('update', onUpdate)
    this.doc.on('destroy', onDocDestroy)
    this.awareness.on('update', onAwareness)
    this.stops.push(
      () => this.doc.off('update', onUpdate),
      () => this.doc.off('destroy', onDocDestroy),
      () => this.awareness.off('update', onAwareness),
      this.channel.onState((s) => this.onState(s)),
      this.channel.onBinary((frame) => this.onFrame(frame)),
      this.channel.onDocError((e) => { if (e.doc === this.name) this.onError(new RecordRoomError(e.code, e.message)) }),
    )
  }

  /** (Re)opens the document on a fresh connection: our state vector, our presence, theirs. */
  private start(): void {
    this.send(messageSync, (enc) => syncProtocol.writeSyncStep1(enc, this.doc))
    this.announce()
    this.send(messageQueryAwareness, () => undefined)
  }

  /**
   * Sends the local awareness state at a clock two above the last one. When a socket closes, the
   * server tells the others its clients are gone at clock + 1; a state at that clock or below
   * would be ignored by them as old, and we would stay invisible until the next renewal.
   */
  private announce(): void {
    const state = this.awareness.getLocalState()
    const meta = this.awareness.meta.get(this.doc.clientID)
    if (state === null || meta === undefined) return
    this.awareness.meta.set(this.doc.clientID, { ...meta, clock: meta.clock + 1 })
    this.awareness.setLocalState(state) // clock + 1 again, and sent by the update listener
  }

  private onState(state: ConnectionState): void {
    if (state === 'open') return this.start()
    this.setSynced(false)
    // Others' presence is unknown while disconnected; the query on reconnecting brings it back.
    // Their clocks are forgotten too: the server answers with the states it kept, whose clocks
    // are the ones already seen, and awareness would ignore them as old.
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID)
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this)
    for (const id of others) this.awareness.meta.delete(id)
    if (state === 'closed' || state === 'forbidden') {
      this.failFirstSync(new RecordRoomError('closed', `the connection ended (${state}) before ${JSON.stringify(this.name)} was synced`))
    }
  }

  private onFrame(frame: Uint8Array): void {
    if (!startsWith(frame, this.prefix)) return // another document's
    const dec = decoding.createDecoder(frame.subarray(this.prefix.length))
    try {
      this.onMessage(dec)
    } catch (err) {
      this.onError(new RecordRoomError('bad_request', `a malformed message for ${JSON.stringify(this.name)}: ${String(err)}`, { cause: err }))
    }
  }

  private onMessage(dec: decoding.Decoder): void {
    switch (decoding.readVarUint(dec)) {
      case messageSync: {
        // A SyncStep1 is answered with a SyncStep2 (what the server lacks); a SyncStep2 or Update
        // is applied with this provider as origin, so it is not sent back.
        const reply = encoding.createEncoder()
        const kind = syncProtocol.readSyncMessage(dec, reply, this.doc, this)
        if (encoding.length(reply) > 0) this.send(messageSync, (enc) => encoding.writeUint8Array(enc, encoding.toUint8Array(reply)))
        if (kind === syncProtocol.messageYjsSyncStep2) this.setSynced(true)
        return
      }
      case messageAwareness:
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(dec), this)
        return
      // The server sends nothing else on the main socket (auth messages are the plain socket's).
    }
  }

  private send(type: number, write: (enc: encoding.Encoder) => void): void {
    if (this.destroyed) return
    const enc = encoding.createEncoder()
    encoding.writeUint8Array(enc, this.prefix)
    encoding.writeVarUint(enc, type)
    write(enc)
    // Dropped while disconnected: the sync on reconnecting sends the server what it lacks.
    this.channel.sendBinary(encoding.toUint8Array(enc))
  }

  /** Only our own client's state: the server relays everyone else's, and remembers which are ours. */
  private sendAwareness(): void {
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID])
    this.send(messageAwareness, (enc) => encoding.writeVarUint8Array(enc, update))
  }

  get synced(): boolean {
    return this.isSynced
  }

  private setSynced(synced: boolean): void {
    if (this.isSynced === synced) return
    this.isSynced = synced
    if (synced) {
      this.settleFirstSync?.resolve()
      this.settleFirstSync = null
    }
    for (const listener of [...this.syncedListeners]) listener(synced)
  }

  private onError(error: RecordRoomError): void {
    this.failFirstSync(error)
    this.options.onError?.(error)
  }

  private failFirstSync(error: RecordRoomError): void {
    this.settleFirstSync?.reject(error)
    this.settleFirstSync = null
  }

  onSynced(listener: (synced: boolean) => void): () => void {
    this.syncedListeners.add(listener)
    return () => { this.syncedListeners.delete(listener) }
  }

  destroy(): void {
    if (this.destroyed) return
    // Sent through the awareness listener while it is still attached: the others see us leave.
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'destroy')
    this.destroyed = true
    for (const stop of this.stops.splice(0)) stop()
    this.awareness.destroy()
    this.failFirstSync(new RecordRoomError('closed', `the provider of ${JSON.stringify(this.name)} was destroyed before it synced`))
    this.syncedListeners.clear()
  }
}

function startsWith(frame: Uint8Array, prefix: Uint8Array): boolean {
  if (frame.length <= prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (frame[i] !== prefix[i]) return false
  return true
}
