import { watchRetrySignals } from './browser.js'
import type { BinaryChannel, ConnectionState, RestContext } from './channel.js'
import { systemClock, type Clock } from './clock.js'
import { Connection } from './connection.js'
import { endpoints } from './endpoints.js'
import { RecordRoomError, type ErrorCode } from './errors.js'
import type { LiveQuery, QueryOptions } from './livequery.js'
import { createFiles, type Files } from './files.js'
import { Outbox } from './outbox.js'
import { createRest, type Rest } from './rest.js'
import type { WebSocketConstructor } from './socket.js'
import { Store } from './store.js'
import { Tokens, type TokenSource } from './token.js'
import { uuidv7 } from './uuid.js'
import type {
  HelloMessage, JsonObject, MutationMessage, Rec, Record, ServerMessage, SystemItem,
  TeamData, TeamMemberData, UserData,
} from './wire.js'

export interface ConnectOptions {
  /** The server's base URL, http(s):// (ws(s):// is derived) or ws(s)://. */
  url: string
  room: string
  /** A token, or a function giving one: called again on every (re)connect. */
  token: TokenSource
  /** The widget id (X-Widget-Id, ?widget=), which scopes `self` files; default `default`. */
  widget?: string
  /** Default: globalThis.WebSocket (in Node 20, pass `ws`'s WebSocket). */
  WebSocket?: WebSocketConstructor
  /** Default: globalThis.fetch. */
  fetch?: typeof fetch
  /** Confirmed mutations reject with `timeout` after this; default 10 000. */
  mutationTimeoutMs?: number
  /** Mutations that may wait for the connection before `queue_full`; default 1 000. */
  maxQueuedMutations?: number
  /** Errors nothing else receives; default: console.warn. */
  onError?: (error: RecordRoomError, source: ErrorSource) => void
  /** A number in [0, 1), for backoff jitter; default Math.random. */
  random?: () => number
  /** Default: the real clock. */
  clock?: Clock
}

/** Where an error passed to onError came from. */
export type ErrorSource =
  | { kind: 'mutation'; mutation: MutationMessage }
  | { kind: 'subscription'; collection: string; options: QueryOptions }
  | { kind: 'connection' }

export interface CreateOptions {
  /** The record's id; default a client-generated UUIDv7. */
  id?: string
}

export interface PutOptions {
  /** Replace the whole data instead of merging its top-level fields. */
  replace?: boolean
  /** Write only if the stored version equals this, else `conflict`. */
  ifVersion?: number
}

export interface RemoveOptions {
  ifVersion?: number
}

/**
 * Record data by collection name: `SchemaTypes<typeof schema>` for a room whose schema is code
 * (docs/clients.md#schemas-as-code), or, by default, any collection holding JSON objects.
 */
export type Collections = { [collection: string]: object }
export type AnyCollections = { [collection: string]: JsonObject }

/** A collection name of DB. */
export type CollectionOf<DB extends Collections> = string & keyof DB

/** What a write to C takes: its declared data, or any object for an untyped client. */
export type DataIn<DB extends Collections, C extends keyof DB> = string extends keyof DB ? object : DB[C]

/** An explicitly typed collection name: allowed (as a plain string) only on an untyped client. */
type UntypedName<DB extends Collections> = string extends keyof DB ? string : never

/**
 * Opens a room. Returns at once; the socket opens in the background. With
 * `connect<SchemaTypes<typeof schema>>(…)`, collection names and their records are typed.
 */
export function connect<DB extends Collections = AnyCollections>(options: ConnectOptions): RecordRoom<DB> {
  return new RecordRoom<DB>(options)
}

/**
 * A connection to one room, with its live queries and mutations. It is also the BinaryChannel
 * the Yjs provider runs over and the RestContext the REST and file helpers use.
 */
export class RecordRoom<DB extends Collections = AnyCollections> implements BinaryChannel, RestContext {
  readonly baseUrl: string
  readonly room: string
  readonly widget: string
  readonly fetch: typeof fetch
  /** The room's REST helpers: me, users, teams, invites, settings, schema, record pages. */
  readonly rest: Rest
  /** The room's files (PROTOCOL.md §7), in the scopes self, user and widget. */
  readonly files: Files
  private readonly tokens: Tokens
  private readonly connection: Connection
  private readonly store: Store
  private readonly outbox: Outbox
  private readonly onError: (error: RecordRoomError, source: ErrorSource) => void
  private readonly stopWatching: () => void

  constructor(o: ConnectOptions) {
    const WS = o.WebSocket ?? globalThis.WebSocket
    if (WS === undefined) throw new TypeError('no WebSocket implementation: pass one as connect({ WebSocket })')
    const clock = o.clock ?? systemClock
    const { baseUrl, wsUrl } = endpoints(o.url, o.room)
    this.baseUrl = baseUrl
    this.room = o.room
    this.widget = o.widget ?? 'default'
    const f = o.fetch ?? globalThis.fetch
    // Called as a method of globalThis: a browser's fetch throws when called on another object.
    this.fetch = (input, init) => f.call(globalThis, input, init)
    this.onError = o.onError ?? ((e, source) => console.warn(`recordroom (${source.kind}):`, e))
    this.tokens = new Tokens(o.token, clock)
    this.rest = createRest(this)
    this.files = createFiles(this)
    const send = (msg: object) => this.connection.sendJSON(msg)
    this.store = new Store({
      send, clock,
      report: (e, q) => this.onError(e, { kind: 'subscription', collection: q.collection, options: q.options }),
    })
    this.outbox = new Outbox({
      send, clock,
      isOpen: () => this.connection.state === 'open',
      timeoutMs: o.mutationTimeoutMs ?? 10_000,
      maxQueued: o.maxQueuedMutations ?? 1_000,
      report: (e, mutation) => this.onError(e, { kind: 'mutation', mutation }),
      lookup: (collection, id) => this.lookup(collection, id),
      selfId: () => this.connection.hello?.user.id ?? null,
    })
    this.connection = new Connection({
      url: wsUrl, widget: this.widget, WebSocket: WS, tokens: this.tokens, clock, random: o.random ?? Math.random,
      events: {
        hello: () => {
          this.store.resubscribe()
          this.outbox.flush()
        },
        message: (msg) => this.dispatch(msg),
        error: (e) => this.onError(e, { kind: 'connection' }),
        forbidden: (e) => this.end(e, true),
      },
    })
    this.stopWatching = watchRetrySignals(() => this.connection.retryNow())
    this.connection.start()
  }

  // ---- connection ----

  get state(): ConnectionState {
    return this.connection.state
  }

  /** The last hello: who the server says we are. null before the first connection. */
  get hello(): HelloMessage | null {
    return this.connection.hello
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    return this.connection.onState(listener)
  }

  /** The current token, refreshed from the token source when it is close to expiry. */
  token(): Promise<string> {
    return this.tokens.current()
  }

  sendBinary(frame: Uint8Array): boolean {
    return this.connection.sendBinary(frame)
  }

  onBinary(listener: (frame: Uint8Array) => void): () => void {
    return this.connection.onBinary(listener)
  }

  onDocError(listener: (e: { doc: string; code: ErrorCode; message: string }) => void): () => void {
    return this.connection.onDocError(listener)
  }

  /** Closes the socket and stops reconnecting; confirmed mutations still waiting reject with `closed`. */
  close(): void {
    this.end(new RecordRoomError('closed', 'the client was closed'), false)
  }

  // ---- live queries ----

  subscribe(collection: '$users', options?: QueryOptions): LiveQuery<SystemItem<UserData>>
  subscribe(collection: '$teams', options?: QueryOptions): LiveQuery<SystemItem<TeamData>>
  subscribe(collection: '$teamMembers', options?: QueryOptions): LiveQuery<SystemItem<TeamMemberData>>
  subscribe<C extends CollectionOf<DB>>(collection: C, options?: QueryOptions): LiveQuery<Rec<DB[C]>>
  /** On an untyped client: the item type is the caller's statement about the collection's data. */
  subscribe<T extends object>(collection: UntypedName<DB>, options?: QueryOptions): LiveQuery<Rec<T>>
  subscribe(collection: string, options: QueryOptions = {}): LiveQuery<never> {
    // The item type is the schema's or the caller's statement about the data (as with JSON.parse).
    return this.store.query(collection, options) as unknown as LiveQuery<never>
  }

  // ---- mutations ----

  /** Creates a record without waiting; returns its id. Throws `queue_full` or `too_large`. */
  create<C extends CollectionOf<DB>>(collection: C, data: DataIn<DB, C>, options: CreateOptions = {}): string {
    const msg = createMessage(collection, data, options)
    this.outbox.fire(msg)
    return msg.id
  }

  /** Upserts (merges, or replaces) without waiting. */
  put<C extends CollectionOf<DB>>(collection: C, id: string, data: Partial<DataIn<DB, C>>, options: PutOptions = {}): void {
    this.outbox.fire(putMessage(collection, id, data, options))
  }

  /** Removes without waiting. */
  remove(collection: CollectionOf<DB>, id: string, options: RemoveOptions = {}): void {
    this.outbox.fire(removeMessage(collection, id, options))
  }

  /** Creates a record; resolves with it as stored. */
  async createConfirmed<C extends CollectionOf<DB>>(collection: C, data: DataIn<DB, C>, options: CreateOptions = {}): Promise<Rec<DB[C]>> {
    return storedRecord<DB[C]>(await this.outbox.confirm(createMessage(collection, data, options)))
  }

  /** Upserts; resolves with the record as stored. */
  async putConfirmed<C extends CollectionOf<DB>>(collection: C, id: string, data: Partial<DataIn<DB, C>>, options: PutOptions = {}): Promise<Rec<DB[C]>> {
    return storedRecord<DB[C]>(await this.outbox.confirm(putMessage(collection, id, data, options)))
  }

  /** Removes; resolves once removed. */
  async removeConfirmed(collection: CollectionOf<DB>, id: string, options: RemoveOptions = {}): Promise<void> {
    await this.outbox.confirm(removeMessage(collection, id, options))
  }

  // ---- internals ----

  private dispatch(msg: ServerMessage): void {
    switch (msg.type) {
      case 'snapshot': return this.store.snapshot(msg)
      case 'changes': return this.store.changes(msg)
      case 'ack': this.outbox.ack(msg); return
      case 'error': {
        if ('doc' in msg) return // the connection routes document errors
        const { ref, sub } = msg
        if (sub !== undefined) return this.store.error({ ...msg, sub })
        // A ping's error, or one of a mutation already settled, is nobody's but the app's.
        if (ref !== undefined && this.outbox.error({ ...msg, ref })) return
        this.onError(RecordRoomError.fromWire(msg), { kind: 'connection' })
      }
    }
  }

  private end(error: RecordRoomError, removed: boolean): void {
    if (this.state === 'closed') return
    this.stopWatching()
    if (removed) {
      this.store.failAll(error)
      this.onError(error, { kind: 'connection' })
    } else {
      this.connection.close()
    }
    this.outbox.failAll(error)
  }

  /** GET one record: settles whether a resent create's conflict is our own first send. */
  private async lookup(collection: string, id: string): Promise<Record | null> {
    try {
      return await this.rest.record(collection, id)
    } catch (e) {
      if (e instanceof RecordRoomError && e.code === 'not_found') return null
      throw e
    }
  }

}

function createMessage(collection: string, data: object, options: CreateOptions): MutationMessage & { id: string } {
  // data goes out as JSON; the server checks it against the schema.
  return { type: 'create', collection, id: options.id ?? uuidv7(), data: data as JsonObject }
}

function putMessage(collection: string, id: string, data: object, options: PutOptions): MutationMessage {
  const msg: MutationMessage = { type: 'put', collection, id, data: data as JsonObject }
  if (options.replace === true) msg.replace = true
  if (options.ifVersion !== undefined) msg.ifVersion = options.ifVersion
  return msg
}

function removeMessage(collection: string, id: string, options: RemoveOptions): MutationMessage {
  const msg: MutationMessage = { type: 'remove', collection, id }
  if (options.ifVersion !== undefined) msg.ifVersion = options.ifVersion
  return msg
}

function storedRecord<T>(record: Record | undefined): Rec<T> {
  if (record === undefined) throw new RecordRoomError('internal', 'the server acknowledged without the record')
  return record as Rec<T> // the caller's statement about the collection's data
}
