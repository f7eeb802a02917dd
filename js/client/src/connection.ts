import { Backoff } from './backoff.js'
import type { BinaryChannel, ConnectionState } from './channel.js'
import type { Clock } from './clock.js'
import { RecordRoomError, type ErrorCode } from './errors.js'
import type { SocketCloseEvent, SocketLike, SocketMessageEvent, WebSocketConstructor } from './socket.js'
import { REFRESH_BEFORE_EXP_MS, tokenExpiry, type Tokens } from './token.js'
import { CloseCode, type DocErrorMessage, type HelloMessage, type ServerMessage } from './wire.js'

/** The connection's timings (tests drive them through an injected clock). */
export const TIMINGS = {
  /** The ceiling of the first retry delay: the first retry is fast. */
  firstRetryMs: 250,
  /** The cap of every retry delay. */
  maxRetryMs: 30_000,
  /** A connection open this long resets the backoff. */
  stableMs: 10_000,
  /** How often an idle connection pings. */
  pingEveryMs: 25_000,
  /** Silence after a ping (or after dialling, before hello) that means the socket is dead. */
  deadAfterMs: 10_000,
} as const

/** What the connection tells its owner, before any state listener hears of it. */
export interface ConnectionEvents {
  /** A socket said hello: resubscribe and resend before anyone sees 'open'. */
  hello(hello: HelloMessage): void
  /** Every other JSON message but Yjs document errors. */
  message(msg: ServerMessage): void
  /** Something went wrong that no request owns: a token source that failed, a refused dial. */
  error(error: RecordRoomError): void
  /** The server closed with 4003: the client stops for good. */
  forbidden(error: RecordRoomError): void
}

export interface ConnectionOptions {
  /** ws(s)://host/v1/rooms/{room}/ws, without query. */
  url: string
  widget: string
  WebSocket: WebSocketConstructor
  tokens: Tokens
  clock: Clock
  random: () => number
  events: ConnectionEvents
}

type DocErrorListener = (e: { doc: string; code: ErrorCode; message: string }) => void

/**
 * One logical connection to a room: dials sockets one after another, reconnects per the close
 * code with backoff, refreshes the token before it expires, and notices dead sockets by pinging.
 * The owner (the client) keeps subscriptions and mutations; this class only moves frames.
 */
export class Connection implements BinaryChannel {
  state: ConnectionState = 'connecting'
  hello: HelloMessage | null = null

  private socket: SocketLike | null = null
  /** Bumped whenever a socket is abandoned, so its late events and awaits are ignored. */
  private generation = 0
  private socketOpened = false
  private helloSeen = false
  private everOpen = false
  private token: string | null = null
  private readonly backoff: Backoff
  private readonly stateListeners = new Set<(s: ConnectionState) => void>()
  private readonly binaryListeners = new Set<(frame: Uint8Array) => void>()
  private readonly docErrorListeners = new Set<DocErrorListener>()
  private retryTimer: unknown = null
  private deadTimer: unknown = null
  private pingTimer: unknown = null
  private stableTimer: unknown = null
  private refreshTimer: unknown = null
  private pings = 0

  constructor(private readonly o: ConnectionOptions) {
    this.backoff = new Backoff(TIMINGS.firstRetryMs, TIMINGS.maxRetryMs, o.random)
  }

  /** Dials the first socket. */
  start(): void {
    void this.dial(null)
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  onBinary(listener: (frame: Uint8Array) => void): () => void {
    this.binaryListeners.add(listener)
    return () => this.binaryListeners.delete(listener)
  }

  onDocError(listener: DocErrorListener): () => void {
    this.docErrorListeners.add(listener)
    return () => this.docErrorListeners.delete(listener)
  }

  /** Sends a JSON message; false when not open (the caller keeps it to send after reconnect). */
  sendJSON(msg: object): boolean {
    return this.sendRaw(JSON.stringify(msg))
  }

  sendBinary(frame: Uint8Array): boolean {
    return this.sendRaw(frame)
  }

  /** Retries at once if waiting to reconnect (the browser came online or became visible). */
  retryNow(): void {
    if (this.retryTimer === null) return
    this.o.clock.clearTimeout(this.retryTimer)
    this.retryTimer = null
    void this.dial(null)
  }

  /** Ends the connection for good. */
  close(): void {
    if (this.isTerminal()) return
    this.abandon(1000, 'client closed')
    this.setState('closed')
  }

  private isTerminal(): boolean {
    return this.state === 'closed' || this.state === 'forbidden'
  }

  private sendRaw(data: string | Uint8Array): boolean {
    if (this.state !== 'open' || this.socket === null) return false
    try {
      this.socket.send(data)
      return true
    } catch {
      return false // a socket closing under us; its close event follows
    }
  }

  private async dial(token: string | null): Promise<void> {
    const gen = ++this.generation
    let t = token
    if (t === null) {
      try {
        t = await this.o.tokens.fresh()
      } catch (e) {
        if (gen !== this.generation || this.isTerminal()) return
        this.o.events.error(new RecordRoomError('unauthorized', `the token source failed: ${String(e)}`, { cause: e }))
        this.retryLater(this.backoff.next())
        return
      }
      if (gen !== this.generation || this.isTerminal()) return
    }
    this.open(t, gen)
  }

  private open(token: string, gen: number): void {
    const url = `${this.o.url}?token=${encodeURIComponent(token)}&widget=${encodeURIComponent(this.o.widget)}`
    let socket: SocketLike
    try {
      socket = new this.o.WebSocket(url)
    } catch (e) {
      this.o.events.error(new RecordRoomError('bad_request', `cannot open ${this.o.url}: ${String(e)}`, { cause: e }))
      this.retryLater(this.backoff.next())
      return
    }
    this.socket = socket
    this.token = token
    this.socketOpened = false
    this.helloSeen = false
    socket.binaryType = 'arraybuffer'
    socket.onopen = () => {
      if (gen === this.generation) this.socketOpened = true
    }
    socket.onmessage = (ev: SocketMessageEvent) => {
      if (gen === this.generation) this.receive(ev.data)
    }
    socket.onclose = (ev: SocketCloseEvent) => {
      if (gen === this.generation) this.dropped(ev.code)
    }
    socket.onerror = () => {} // a close event follows every error
    this.armDeadline()
  }

  private receive(data: unknown): void {
    this.disarmDeadline() // any frame proves the socket alive
    if (typeof data !== 'string') {
      const frame = toBytes(data)
      if (frame !== null) for (const l of this.binaryListeners) l(frame)
      return
    }
    let msg: ServerMessage
    try {
      msg = JSON.parse(data) as ServerMessage
    } catch {
      return // not JSON: nothing the contract sends
    }
    if (msg.type === 'hello') this.greeted(msg)
    else if (msg.type === 'error' && 'doc' in msg) this.docError(msg)
    else this.o.events.message(msg)
  }

  private docError(msg: DocErrorMessage): void {
    for (const l of this.docErrorListeners) l({ doc: msg.doc, code: msg.code, message: msg.message })
  }

  private greeted(hello: HelloMessage): void {
    this.hello = hello
    this.helloSeen = true
    this.everOpen = true
    this.state = 'open' // the owner may send from its hello handler
    this.o.events.hello(hello)
    this.notify()
    this.schedulePing()
    this.stableTimer = this.o.clock.setTimeout(() => this.backoff.reset(), TIMINGS.stableMs)
    this.scheduleRefresh()
  }

  private schedulePing(): void {
    this.pingTimer = this.o.clock.setTimeout(() => {
      if (this.sendJSON({ type: 'ping', ref: `p${++this.pings}` })) this.armDeadline()
      this.schedulePing()
    }, TIMINGS.pingEveryMs)
  }

  private armDeadline(): void {
    this.disarmDeadline()
    this.deadTimer = this.o.clock.setTimeout(() => {
      this.deadTimer = null
      // A half-open socket may never deliver its close event: give it up now.
      const opened = this.socketOpened
      this.abandon(4000, 'no answer')
      this.decide(opened ? 1006 : 0, opened)
    }, TIMINGS.deadAfterMs)
  }

  private disarmDeadline(): void {
    if (this.deadTimer === null) return
    this.o.clock.clearTimeout(this.deadTimer)
    this.deadTimer = null
  }

  /** Refreshes the token REFRESH_BEFORE_EXP_MS before its exp, by reconnecting with a new one. */
  private scheduleRefresh(): void {
    const exp = this.token === null ? null : tokenExpiry(this.token)
    if (exp === null) return
    const delay = Math.max(0, exp - REFRESH_BEFORE_EXP_MS - this.o.clock.now())
    this.refreshTimer = this.o.clock.setTimeout(() => void this.refresh(exp), delay)
  }

  private async refresh(oldExp: number): Promise<void> {
    const gen = this.generation
    let next: string
    try {
      next = await this.o.tokens.fresh()
    } catch (e) {
      if (gen === this.generation) this.o.events.error(new RecordRoomError('unauthorized', `the token source failed: ${String(e)}`, { cause: e }))
      return // the server's 4001 at exp reconnects us
    }
    if (gen !== this.generation || this.state !== 'open') return
    // A source that gives the same token (a string, or one not yet renewed) is left to the 4001.
    if (next === this.token || (tokenExpiry(next) ?? Infinity) <= oldExp) return
    this.abandon(1000, 'token refresh')
    this.setState('reconnecting')
    void this.dial(next)
  }

  private dropped(code: number): void {
    const opened = this.socketOpened
    this.abandon(null, '')
    this.decide(code, opened)
  }

  /** What a close code means (PROTOCOL.md §4): stop, reconnect at once, or back off. */
  private decide(code: number, opened: boolean): void {
    if (this.isTerminal()) return
    if (code === CloseCode.Removed) {
      this.setState('forbidden')
      this.o.events.forbidden(new RecordRoomError('forbidden', 'removed from the room: the server closed the connection (4003)'))
      return
    }
    const wasGreeted = this.helloSeen
    // A refused upgrade (401) shows in browsers as a close before open: suspect the token.
    if (code === CloseCode.TokenExpired || !opened) this.o.tokens.invalidate()
    let delay: number
    if (code === CloseCode.Restarting || (code === CloseCode.TokenExpired && wasGreeted)) delay = 0
    else delay = this.backoff.next()
    this.setState(this.everOpen ? 'reconnecting' : 'connecting')
    this.retryLater(delay)
  }

  private retryLater(delay: number): void {
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = null
      void this.dial(null)
    }, delay)
  }

  /** Lets go of the current socket (closing it when code is given) and of its timers. */
  private abandon(code: number | null, reason: string): void {
    this.generation++
    for (const t of [this.retryTimer, this.deadTimer, this.pingTimer, this.stableTimer, this.refreshTimer]) {
      if (t !== null) this.o.clock.clearTimeout(t)
    }
    this.retryTimer = this.deadTimer = this.pingTimer = this.stableTimer = this.refreshTimer = null
    const socket = this.socket
    this.socket = null
    if (socket === null) return
    socket.onopen = socket.onmessage = socket.onclose = null
    socket.onerror = () => {} // ws emits 'error' when closed while connecting; keep it handled
    if (code !== null) {
      try {
        socket.close(code, reason)
      } catch {
        // already closed
      }
    }
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return
    this.state = s
    this.notify()
  }

  private notify(): void {
    const s = this.state
    for (const l of [...this.stateListeners]) l(s)
  }
}

function toBytes(data: unknown): Uint8Array | null {
  // Not instanceof: a buffer from another realm (an iframe, a DOM emulation over `ws`) is no
  // instance of this realm's ArrayBuffer, and its frames must not be dropped.
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return null
}
