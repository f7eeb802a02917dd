/**
 * The part of a WebSocket the client uses: the browser's WebSocket and the `ws` package's both
 * fit. Event handlers take `never` so that both implementations' own event types are accepted;
 * the connection reads only `data` of a message event and `code`/`reason` of a close event,
 * which both provide.
 */
export interface SocketLike {
  binaryType: string
  send(data: string | Uint8Array): void
  close(code?: number, reason?: string): void
  onopen: ((event: never) => unknown) | null
  onmessage: ((event: never) => unknown) | null
  onclose: ((event: never) => unknown) | null
  onerror: ((event: never) => unknown) | null
}

/** A WebSocket class: globalThis.WebSocket in browsers, `ws`'s default export in Node. */
export type WebSocketConstructor = new (url: string) => SocketLike

/** What the connection reads of a message event. */
export interface SocketMessageEvent {
  data: unknown
}

/** What the connection reads of a close event. */
export interface SocketCloseEvent {
  code: number
  reason: string
}
