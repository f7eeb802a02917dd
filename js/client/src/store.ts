import { canonicalJSON } from './canonical.js'
import type { Clock } from './clock.js'
import { RecordRoomError } from './errors.js'
import { Query, type QueryHost, type QueryOptions } from './livequery.js'
import type { ChangesMessage, ClientMessage, ErrorMessage, SnapshotMessage } from './wire.js'

export interface StoreDeps {
  /** Sends a message if the connection is open; false otherwise. */
  send(msg: ClientMessage): boolean
  clock: Clock
  /** A subscription's error, for the app's onError. */
  report(error: RecordRoomError, query: Query): void
}

/**
 * The live queries of one client: identical queries share one Query and one wire subscription;
 * a query is subscribed on the wire while it has listeners, and again after every reconnect.
 */
export class Store implements QueryHost {
  /** Queries by canonical key, for sharing. */
  private readonly byKey = new Map<string, Query>()
  /** Active queries by their wire subscription id. */
  private readonly bySub = new Map<string, Query>()
  private readonly releases = new Map<Query, unknown>()
  private subs = 0

  constructor(private readonly deps: StoreDeps) {}

  /** The one Query of this query, made on first use. */
  query(collection: string, options: QueryOptions): Query {
    const clean: QueryOptions = {}
    if (options.where !== undefined) clean.where = options.where
    if (options.orderBy !== undefined) clean.orderBy = options.orderBy
    if (options.limit !== undefined) clean.limit = options.limit
    const key = canonicalJSON({ collection, ...clean })
    let q = this.byKey.get(key)
    if (q === undefined) {
      q = new Query(collection, clean, key, this)
      this.byKey.set(key, q)
      this.release(q) // forgotten again unless someone listens soon
    }
    return q
  }

  activate(q: Query): void {
    const pending = this.releases.get(q)
    if (pending !== undefined) {
      this.deps.clock.clearTimeout(pending)
      this.releases.delete(q)
    }
    // A query forgotten before its first listener came takes its key back, unless another
    // query took it meanwhile (then both run their own subscription: correct, just not shared).
    if (!this.byKey.has(q.key)) this.byKey.set(q.key, q)
    if (q.sub !== null) return // still subscribed: the grace period saved an unsubscribe
    q.sub = `s${++this.subs}`
    this.bySub.set(q.sub, q)
    this.deps.send(subscribeMessage(q))
  }

  /**
   * The last listener left (or none came): unsubscribe after one macrotask, so that React
   * StrictMode's mount–unmount–mount does not send unsubscribe and subscribe again.
   */
  release(q: Query): void {
    if (this.releases.has(q)) return
    this.releases.set(q, this.deps.clock.setTimeout(() => {
      this.releases.delete(q)
      if (q.listened) return
      if (this.byKey.get(q.key) === q) this.byKey.delete(q.key)
      if (q.sub === null) return
      this.bySub.delete(q.sub)
      this.deps.send({ type: 'unsubscribe', sub: q.sub })
      q.sub = null
    }, 0))
  }

  /** After every (re)connect: subscribe again; each fresh snapshot replaces its cache. */
  resubscribe(): void {
    for (const q of this.bySub.values()) this.deps.send(subscribeMessage(q))
  }

  snapshot(msg: SnapshotMessage): void {
    this.bySub.get(msg.sub)?.snapshot(msg.records)
  }

  changes(msg: ChangesMessage): void {
    this.bySub.get(msg.sub)?.changes(msg.upserts ?? [], msg.removes ?? [])
  }

  /** A subscription's error: the query shows it; it is sent again after a reconnect. */
  error(msg: ErrorMessage & { sub: string }): void {
    const q = this.bySub.get(msg.sub)
    if (q === undefined) return
    const e = RecordRoomError.fromWire(msg)
    q.fail(e)
    this.deps.report(e, q)
  }

  /** The end (removed from the room): every active query shows why. */
  failAll(error: RecordRoomError): void {
    for (const q of this.bySub.values()) q.fail(error)
  }
}

function subscribeMessage(q: Query): ClientMessage {
  return { type: 'subscribe', sub: q.sub ?? '', collection: q.collection, ...q.options }
}
