import { useEffect, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react'
import { connect, type AnyCollections, type Client, type Collections, type ConnectOptions, type RecordRoom, type TokenSource } from './client.js'
import { SlotContext } from './context.js'
import { ClientSlot } from './slot.js'

/** Options passed to connect() besides the four the provider names (WebSocket, fetch, onError, …). */
export type ProviderConnectOptions = Omit<ConnectOptions, 'url' | 'room' | 'token' | 'widget'>

/** The provider connects by itself… */
export interface ConnectingProviderProps {
  /** The server's base URL, e.g. http://localhost:8080. */
  url: string
  room: string
  /** A token, or a function called again on every (re)connect; changing it never reconnects. */
  token: TokenSource
  /** The widget id (files' `self` scope); default `default`. */
  widget?: string
  /** Read when the client connects; later changes apply from the next connect (onError at once). */
  options?: ProviderConnectOptions
  client?: undefined
  children?: ReactNode
}

/**
 * …or shares a client the application made (and closes): tests, several trees on one socket.
 * A schema-typed client (`connect<SchemaTypes<typeof schema>>()`) is welcome; hooks see it untyped
 * unless they come from typedHooks.
 */
export interface ClientProviderProps<DB extends Collections = AnyCollections> {
  client: RecordRoom<DB>
  children?: ReactNode
}

export type RecordProviderProps<DB extends Collections = AnyCollections> = ConnectingProviderProps | ClientProviderProps<DB>

// Layout effects run before any child's passive effect, so children's effects find the client;
// on the server neither runs, and React 18 warns about useLayoutEffect there.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect

/**
 * Opens the room's socket for its subtree: one client per (url, room, widget), connected on
 * mount and closed on unmount. StrictMode's double mount opens one socket, not two (ClientSlot).
 */
export function RecordProvider<DB extends Collections = AnyCollections>(props: RecordProviderProps<DB>): ReactNode {
  const latest = useRef<RecordProviderProps<DB>>(props)
  // The hooks use the client untyped: its schema types are compile-time only.
  const given = props.client as unknown as Client | undefined
  const url = props.client === undefined ? props.url : undefined
  const room = props.client === undefined ? props.room : undefined
  const widget = props.client === undefined ? props.widget : undefined

  const slot = useMemo(
    () => (given !== undefined ? ClientSlot.fixed(given) : ClientSlot.lazy(() => connectLatest(latest))),
    [given, url, room, widget],
  )

  useIsomorphicLayoutEffect(() => {
    latest.current = props
  })
  useIsomorphicLayoutEffect(() => {
    slot.acquire()
    return () => slot.release()
  }, [slot])

  return <SlotContext.Provider value={slot}>{props.children}</SlotContext.Provider>
}

/** Connects with the provider's latest props; the token and onError are read at each use. */
function connectLatest<DB extends Collections>(latest: { readonly current: RecordProviderProps<DB> }): Client {
  const p = latest.current
  if (p.client !== undefined) throw new Error('RecordProvider: a given client is never connected here')
  const current = (): ConnectingProviderProps => latest.current as ConnectingProviderProps
  return connect({
    ...p.options,
    url: p.url,
    room: p.room,
    widget: p.widget,
    token: () => {
      const t = current().token
      return typeof t === 'function' ? t() : Promise.resolve(t)
    },
    onError: (err, source) => {
      const report = current().options?.onError
      if (report !== undefined) report(err, source)
      else console.warn(`recordroom (${source.kind}):`, err)
    },
  })
}
