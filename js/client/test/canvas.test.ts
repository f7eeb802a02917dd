import { describe, expect, it } from 'vitest'
import { parentFrameToken, relayTokens, type TokenMessageEvent } from '../src/canvas.js'
import { settle } from './helpers.js'

/**
 * A fake browser window. postMessage delivers an event to its listeners, as coming from the one
 * window that talks to it here (`peer`), if targetOrigin matches, asynchronously, as browsers do.
 */
class FakeWindow {
  private readonly listeners = new Set<(e: TokenMessageEvent) => void>()
  parent: FakeWindow = this
  peer: FakeWindow | null = null
  received: unknown[] = []

  constructor(readonly origin: string) {}

  addEventListener(_type: 'message', l: (e: TokenMessageEvent) => void): void {
    this.listeners.add(l)
  }

  removeEventListener(_type: 'message', l: (e: TokenMessageEvent) => void): void {
    this.listeners.delete(l)
  }

  postMessage(message: unknown, targetOrigin: string): void {
    const from = this.peer
    if (from === null || targetOrigin !== this.origin) return // the browser drops it
    queueMicrotask(() => this.deliver(structuredClone(message), from, from.origin))
  }

  /** An event arriving from `from` claiming `origin` (a test may forge either). */
  deliver(data: unknown, from: FakeWindow | null, origin: string): void {
    this.received.push(data)
    for (const l of [...this.listeners]) l({ data, origin, source: from })
  }

  get listenerCount(): number {
    return this.listeners.size
  }
}

/** A parent page at https://canvas.example holding an iframe at https://widget.example. */
function frames() {
  const parent = new FakeWindow('https://canvas.example')
  const child = new FakeWindow('https://widget.example')
  child.parent = parent
  parent.peer = child
  child.peer = parent
  return { parent, child, iframe: { contentWindow: child } }
}

describe('canvas mode', () => {
  it('gets a token from the parent, once per call', async () => {
    const { parent, child, iframe } = frames()
    let n = 0
    const stop = relayTokens(iframe, async () => `tok${++n}`, { childOrigin: 'https://widget.example', window: parent })
    const source = parentFrameToken({ parentOrigin: 'https://canvas.example', window: child })
    expect(await source()).toBe('tok1')
    expect(await source()).toBe('tok2')
    expect(child.listenerCount).toBe(0) // each request cleans up after itself
    stop()
    expect(parent.listenerCount).toBe(0)
  })

  it('passes on the parent’s refusal', async () => {
    const { parent, child, iframe } = frames()
    relayTokens(iframe, async () => { throw new Error('signed out') }, { childOrigin: 'https://widget.example', window: parent })
    await expect(parentFrameToken({ parentOrigin: 'https://canvas.example', window: child })()).rejects.toMatchObject({
      code: 'unauthorized', message: expect.stringContaining('signed out'),
    })
  })

  it('the parent never answers a request from another origin or another window', async () => {
    const { parent, child, iframe } = frames()
    let asked = 0
    relayTokens(iframe, async () => { asked++; return 'secret' }, { childOrigin: 'https://widget.example', window: parent })
    const request = { type: 'recordroom:token-request', id: 'x' }
    parent.deliver(request, child, 'https://evil.example') // right window, wrong origin
    parent.deliver(request, new FakeWindow('https://widget.example'), 'https://widget.example') // right origin, another window
    await settle()
    expect(asked).toBe(0)
    expect(child.received).toEqual([])
  })

  it('the child ignores an answer from the wrong origin or window, and times out', async () => {
    const { child } = frames()
    const source = parentFrameToken({ parentOrigin: 'https://canvas.example', window: child, timeoutMs: 50 })
    const p = source()
    await settle()
    const [request] = child.parent.received as { id: string }[]
    const answer = { type: 'recordroom:token', id: request!.id, token: 'forged' }
    child.deliver(answer, child.parent, 'https://evil.example')
    child.deliver(answer, new FakeWindow('https://canvas.example'), 'https://canvas.example')
    await expect(p).rejects.toMatchObject({ code: 'timeout' })
  })

  it('refuses a wildcard or malformed origin', () => {
    const { parent, child, iframe } = frames()
    expect(() => parentFrameToken({ parentOrigin: '*', window: child })).toThrow(TypeError)
    expect(() => parentFrameToken({ parentOrigin: 'https://canvas.example/', window: child })).toThrow(TypeError)
    expect(() => relayTokens(iframe, async () => 't', { childOrigin: '*', window: parent })).toThrow(TypeError)
  })
})
