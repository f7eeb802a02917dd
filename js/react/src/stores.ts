import type { LiveQuery, QueryResult } from './client.js'

/** A source for useSyncExternalStore: stable functions, so React never resubscribes needlessly. */
export interface Store<T> {
  readonly subscribe: (onChange: () => void) => () => void
  readonly get: () => T
}

const stores = new WeakMap<LiveQuery<unknown>, Store<QueryResult<unknown>>>()

/** The one Store of a live query (identical queries share a LiveQuery, so they share it too). */
export function queryStore<T>(live: LiveQuery<T>): Store<QueryResult<T>> {
  let store = stores.get(live as LiveQuery<unknown>)
  if (store === undefined) {
    store = {
      subscribe: (onChange) => live.listen(() => onChange()),
      get: () => live.current,
    }
    stores.set(live as LiveQuery<unknown>, store)
  }
  return store as Store<QueryResult<T>>
}

/** A store that never changes, for hooks waiting for their client. */
export function constantStore<T>(value: T): Store<T> {
  return { subscribe: () => noop, get: () => value }
}

function noop(): void {}

/** A query's result while there is no client yet (and on the server). */
export const LOADING: QueryResult<never> = Object.freeze({ status: 'loading', records: Object.freeze([]) })

export const loadingStore: Store<QueryResult<never>> = constantStore(LOADING)
