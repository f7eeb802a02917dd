import type { RecordRoomError } from './errors.js'
import { comparator, type Orderable } from './order.js'
import { applyChanges, applySnapshot } from './results.js'
import type { JsonObject, OrderKey, WireItem } from './wire.js'

/** What a live query asks for (PROTOCOL.md §3). */
export interface QueryOptions {
  where?: JsonObject
  orderBy?: OrderKey[]
  /** 1–10000; the server's default is 1000. */
  limit?: number
}

/** A live query's result. Keeps its identity until something in it changes. */
export interface QueryResult<T> {
  readonly status: 'loading' | 'ready' | 'error'
  readonly records: readonly T[]
  readonly error?: RecordRoomError
}

/** An ordered, live result of one query; shared by every identical subscribe(). */
export interface LiveQuery<T> {
  readonly collection: string
  readonly options: Readonly<QueryOptions>
  /** The canonical JSON of the query: equal for equal queries. */
  readonly key: string
  readonly current: QueryResult<T>
  /**
   * Calls listener after each change of `current`. The first listener opens the wire
   * subscription; when the last one leaves it is closed after a short grace period.
   */
  listen(listener: (result: QueryResult<T>) => void): () => void
}

/** What a live query needs of the store that owns it. */
export interface QueryHost {
  activate(q: Query): void
  release(q: Query): void
}

/**
 * The store's live query: the LiveQuery API plus what the store feeds it. It holds wire items as
 * they come; the item type an app sees (LiveQuery<Rec<Task>>) is the app's statement about its
 * data, made once where the client hands the query out.
 */
export class Query implements LiveQuery<WireItem> {
  current: QueryResult<WireItem> = { status: 'loading', records: [] }
  /** The wire subscription's id while active. */
  sub: string | null = null
  private readonly listeners = new Set<(result: QueryResult<WireItem>) => void>()
  private readonly compare: (a: Orderable, b: Orderable) => number

  constructor(
    readonly collection: string,
    readonly options: Readonly<QueryOptions>,
    readonly key: string,
    private readonly host: QueryHost,
  ) {
    this.compare = comparator(options.orderBy)
  }

  get listened(): boolean {
    return this.listeners.size > 0
  }

  listen(listener: (result: QueryResult<WireItem>) => void): () => void {
    const wrapped = (r: QueryResult<WireItem>) => listener(r) // one entry per listen(), even of one function
    this.listeners.add(wrapped)
    if (this.listeners.size === 1) this.host.activate(this)
    let done = false
    return () => {
      if (done) return
      done = true
      this.listeners.delete(wrapped)
      if (this.listeners.size === 0) this.host.release(this)
    }
  }

  snapshot(items: readonly WireItem[]): void {
    const records = applySnapshot(this.current.records, items)
    this.set(records, 'ready')
  }

  changes(upserts: readonly WireItem[], removes: readonly string[]): void {
    const records = applyChanges(this.current.records, upserts, removes, this.compare)
    if (records === this.current.records) return
    this.current = { ...this.current, records }
    this.emit()
  }

  fail(error: RecordRoomError): void {
    this.current = { status: 'error', records: this.current.records, error }
    this.emit()
  }

  private set(records: readonly WireItem[], status: QueryResult<WireItem>['status']): void {
    if (records === this.current.records && status === this.current.status && this.current.error === undefined) return
    this.current = { status, records } // a snapshot clears an earlier error
    this.emit()
  }

  private emit(): void {
    const r = this.current
    for (const l of [...this.listeners]) l(r)
  }
}
