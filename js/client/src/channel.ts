import type { ErrorCode } from './errors.js'

/**
 * The connection's state. `forbidden` (closed 4003: removed from the room) and `closed`
 * (rr.close()) are terminal.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'forbidden'

/** What the Yjs provider needs of a connection: the multiplexed socket's binary frames (PROTOCOL.md §6). */
export interface BinaryChannel {
  readonly state: ConnectionState
  /** Also fires 'open' after each reconnect, so a provider can resynchronise. */
  onState(listener: (s: ConnectionState) => void): () => void
  /** Sends one frame; false (dropped) when not open. */
  sendBinary(frame: Uint8Array): boolean
  onBinary(listener: (frame: Uint8Array) => void): () => void
  onDocError(listener: (e: { doc: string; code: ErrorCode; message: string }) => void): () => void
}

/** What REST helpers need: where the room is and how to authenticate. */
export interface RestContext {
  /** http(s)://host[:port], no trailing slash. */
  readonly baseUrl: string
  readonly room: string
  readonly widget: string
  readonly fetch: typeof fetch
  /** The current token, refreshed from the token source when needed. */
  token(): Promise<string>
}
