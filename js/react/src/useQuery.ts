import { useMemo, useSyncExternalStore } from 'react'
import type { Client, JsonObject, LiveQuery, QueryOptions, QueryResult, Rec, RecordRoomError, SystemItem } from './client.js'
import { useClient } from './context.js'
import { queryKey } from './key.js'
import { LOADING, loadingStore, queryStore } from './stores.js'

/**
 * The live, ordered result of a query. `options` may be a new object on every render: the
 * subscription is keyed by its canonical JSON, not its identity. The result (and each record)
 * keeps its identity until it changes, so a component re-renders only when its records did.
 */
export function useQuery<T extends object = JsonObject>(
  collection: string,
  options: QueryOptions = {},
): QueryResult<Rec<T>> {
  return useLive('useQuery', collection, options, (c) => c.subscribe<T>(collection, options))
}

/** A system collection's items, live ($users: { id, data: UserData }, …). */
export function useSystemQuery<D>(collection: '$users' | '$teams' | '$teamMembers', options: QueryOptions = {}): QueryResult<SystemItem<D>> {
  return useLive('useSystemQuery', collection, options, (c) => c.subscribe(collection as string, options) as unknown as LiveQuery<SystemItem<D>>)
}

function useLive<I>(hook: string, collection: string, options: QueryOptions, open: (c: Client) => LiveQuery<I>): QueryResult<I> {
  const client = useClient(hook)
  const key = queryKey(collection, options)
  // subscribe() only finds or makes the shared LiveQuery: the wire subscription starts with
  // its first listener, which useSyncExternalStore adds after commit, so rendering stays pure.
  // `key` stands for collection and options, so equal queries keep one LiveQuery.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const live = useMemo(() => (client === null ? null : open(client)), [client, key])
  const store = live === null ? loadingStore : queryStore(live)
  return useSyncExternalStore(store.subscribe, store.get, getLoading)
}

const getLoading = (): QueryResult<never> => LOADING

/** One record's live state: `record` is null while loading and when there is no such record. */
export interface RecordResult<T extends object = JsonObject> {
  readonly status: 'loading' | 'ready' | 'error'
  readonly record: Rec<T> | null
  readonly error?: RecordRoomError
}

/** One record, live (a subscription on `where: { id }`, shared by every useRecord of it). */
export function useRecord<T extends object = JsonObject>(collection: string, id: string): RecordResult<T> {
  const result = useQuery<T>(collection, { where: { id }, limit: 1 })
  return useMemo(() => recordResult(result), [result])
}

function recordResult<T extends object>(r: QueryResult<Rec<T>>): RecordResult<T> {
  const record = r.records[0] ?? null
  return r.error === undefined ? { status: r.status, record } : { status: r.status, record, error: r.error }
}
