// Compile-time proof that both WebSocket implementations fit SocketLike (checked by `npm run typecheck`).
import WS from 'ws'
import type { WebSocketConstructor } from '../../src/socket.js'

export const browser: WebSocketConstructor = globalThis.WebSocket
export const node: WebSocketConstructor = WS
