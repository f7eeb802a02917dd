import { useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import type { Client, ConnectionState, Me } from './client.js'
import { RecordRoomError } from './client.js'
import { useClient } from './context.js'
import { constantStore, type Store } from './stores.js'

const connecting = (): ConnectionState => 'connecting'
const connectingStore = constantStore<ConnectionState>('connecting')

/** The client's connection state; `connecting` until the provider has connected (and on the server). */
export function useConnectionState(): ConnectionState {
  return useStateOf(useClient('useConnectionState'))
}

function useStateOf(client: Client | null): ConnectionState {
  const store = useMemo<Store<ConnectionState>>(
    () =>
      client === null
        ? connectingStore
        : { subscribe: (onChange) => client.onState(() => onChange()), get: () => client.state },
    [client],
  )
  return useSyncExternalStore(store.subscribe, store.get, connecting)
}

/** The caller's user row (GET /me), fetched when the socket opens and again after each reconnect. */
export interface MeResult {
  readonly status: 'loading' | 'ready' | 'error'
  /** The last row fetched; kept while a refetch fails. */
  readonly me: Me | null
  readonly error?: RecordRoomError
}

const LOADING_ME: MeResult = Object.freeze({ status: 'loading', me: null })

/**
 * Who the caller is in this room: role, email, name. Refetched on every reconnect, since an
 * admin may have changed the role meanwhile (the socket's hello says so too, but not the rest).
 */
export function useMe(): MeResult {
  const client = useClient('useMe')
  const state = useStateOf(client)
  const [result, setResult] = useState<MeResult>(LOADING_ME)
  useEffect(() => {
    if (client === null || state !== 'open') return
    let current = true
    client.rest.me().then(
      (me) => current && setResult({ status: 'ready', me }),
      (err: unknown) => current && setResult((prev) => ({ status: 'error', me: prev.me, error: asRecordRoomError(err) })),
    )
    return () => {
      current = false
    }
  }, [client, state])
  return result
}

/** Errors of the client's calls are RecordRoomErrors; anything else is wrapped, not lost. */
export function asRecordRoomError(err: unknown): RecordRoomError {
  if (err instanceof RecordRoomError) return err
  return new RecordRoomError('internal', err instanceof Error ? err.message : String(err), { cause: err })
}
