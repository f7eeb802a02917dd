import { createHmac } from 'node:crypto'
import type { Clock } from '../src/clock.js'
import type { SocketLike } from '../src/socket.js'
import type { ClientMessage, HelloMessage, ServerMessage } from '../src/wire.js'

/** A clock whose time moves only when the test says so. */
/** Where every FakeClock starts, in Unix milliseconds. */
export const CLOCK_START = 1_800_000_000_000

export class FakeClock implements Clock {
  private t = CLOCK_START
  private seq = 0
  private readonly timers = new Map<number, { at: number; fn: () => void }>()

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number)
  }

  /** The delays of pending timers, soonest first. */
  pending(): number[] {
    return [...this.timers.values()].map((x) => x.at - this.t).sort((a, b) => a - b)
  }

  /** Moves time forward, running due timers in order (and letting promises settle between them). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      await settle()
      let next: [number, { at: number; fn: () => void }] | undefined
      for (const e of this.timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e
      if (next === undefined) break
      this.timers.delete(next[0])
      this.t = next[1].at
      next[1].fn()
    }
    this.t = end
    await settle()
  }
}

/** Lets pending promise callbacks and a real macrotask run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** A WebSocket test double: records what the client sends, lets the test play the server. */
export class FakeSocket implements SocketLike {
  binaryType = 'blob'
  sent: (string | Uint8Array)[] = []
  closedWith: { code: number | undefined; reason: string | undefined } | null = null
  onopen: ((event: never) => unknown) | null = null
  onmessage: ((event: never) => unknown) | null = null
  onclose: ((event: never) => unknown) | null = null
  onerror: ((event: never) => unknown) | null = null

  /** Answer pings with pongs, as a live server does. */
  answerPings = true

  constructor(readonly url: string) {}

  send(data: string | Uint8Array): void {
    this.sent.push(data)
    if (this.answerPings && typeof data === 'string') {
      const msg = JSON.parse(data) as ClientMessage
      if (msg.type === 'ping') queueMicrotask(() => this.receive({ type: 'pong', ref: msg.ref }))
    }
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
  }

  /** The JSON messages the client sent, in order. */
  messages(): ClientMessage[] {
    return this.sent.filter((d): d is string => typeof d === 'string').map((d) => JSON.parse(d) as ClientMessage)
  }

  /** The messages of one type. */
  of<K extends ClientMessage['type']>(type: K): Extract<ClientMessage, { type: K }>[] {
    return this.messages().filter((m): m is Extract<ClientMessage, { type: K }> => m.type === type)
  }

  token(): string | null {
    return new URL(this.url).searchParams.get('token')
  }

  open(): void {
    call(this.onopen, {})
  }

  /** Opens and says hello, as the server does on a successful upgrade. */
  accept(user = 'alice'): void {
    this.open()
    const hello: HelloMessage = { type: 'hello', protocol: 1, room: 'r1', user: { id: user, role: 'member' }, replica: 'x' }
    this.receive(hello)
  }

  receive(msg: ServerMessage | object): void {
    call(this.onmessage, { data: JSON.stringify(msg) })
  }

  receiveBinary(frame: Uint8Array): void {
    this.receiveData(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength))
  }

  /** Delivers a message event with this data as it stands (an ArrayBuffer of another realm, say). */
  receiveData(data: unknown): void {
    call(this.onmessage, { data })
  }

  serverClose(code: number, reason = ''): void {
    call(this.onclose, { code, reason })
  }
}

function call(handler: ((event: never) => unknown) | null, event: object): void {
  ;(handler as ((event: object) => unknown) | null)?.(event)
}

/** A WebSocket class over FakeSockets, and the sockets it made. */
export function fakeWebSocket(): { WebSocket: new (url: string) => FakeSocket; sockets: FakeSocket[]; last(): FakeSocket } {
  const sockets: FakeSocket[] = []
  class WS extends FakeSocket {
    constructor(url: string) {
      super(url)
      sockets.push(this)
    }
  }
  return {
    WebSocket: WS,
    sockets,
    last: () => {
      const s = sockets.at(-1)
      if (s === undefined) throw new Error('no socket was opened')
      return s
    },
  }
}

/** An HS256 JWT, as the server's tests and `recordroom token` make them. */
export function jwt(claims: { sub: string; exp?: number; email?: string; name?: string }, secret = 'devsecret-at-least-32-bytes-long-xxxxx'): string {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const body = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
}
