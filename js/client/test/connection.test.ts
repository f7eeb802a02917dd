import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RecordRoom } from '../src/client.js'
import { CLOCK_START, jwt } from './helpers.js'
import { setup } from './setup.js'

let open: RecordRoom[] = []
afterEach(() => {
  for (const rr of open) rr.close()
  open = []
})
async function client(...args: Parameters<typeof setup>) {
  const t = await setup(...args)
  open.push(t.rr)
  return t
}

describe('connecting', () => {
  it('dials the room socket with token and widget, and is open on hello', async () => {
    const { rr, ws, states } = await client({ url: 'https://example.com/api/' })
    expect(ws.sockets).toHaveLength(1)
    expect(ws.last().url).toBe('wss://example.com/api/v1/rooms/r1/ws?token=tok&widget=w1')
    expect(ws.last().binaryType).toBe('arraybuffer')
    expect(rr.state).toBe('connecting')
    expect(rr.baseUrl).toBe('https://example.com/api')
    ws.last().accept()
    expect(rr.state).toBe('open')
    expect(rr.hello?.user.id).toBe('alice')
    expect(states).toEqual(['open'])
  })

  it('calls the token function on every (re)connect', async () => {
    let n = 0
    const { ws, clock } = await client({ token: async () => `t${++n}` })
    ws.last().accept()
    ws.last().serverClose(1006)
    await clock.advance(1000)
    expect(ws.sockets.map((s) => s.token())).toEqual(['t1', 't2'])
  })

  it('hands binary frames to onBinary and sends them only while open', async () => {
    const { rr, ws } = await client()
    const got: number[][] = []
    rr.onBinary((f) => got.push([...f]))
    expect(rr.sendBinary(new Uint8Array([1]))).toBe(false)
    ws.last().accept()
    expect(rr.sendBinary(new Uint8Array([2, 3]))).toBe(true)
    expect(ws.last().sent.at(-1)).toEqual(new Uint8Array([2, 3]))
    ws.last().receiveBinary(new Uint8Array([7, 8, 9]))
    expect(got).toEqual([[7, 8, 9]])
    // A buffer made in another realm (a DOM emulation's, an iframe's) is a binary frame too.
    const foreign = runInNewContext('new Uint8Array([4, 5]).buffer') as ArrayBuffer
    expect(foreign instanceof ArrayBuffer).toBe(false)
    ws.last().receiveData(foreign)
    expect(got).toEqual([[7, 8, 9], [4, 5]])
  })

  it('routes a document error to onDocError', async () => {
    const { rr, ws, errors } = await client()
    const got: unknown[] = []
    rr.onDocError((e) => got.push(e))
    ws.last().accept()
    ws.last().receive({ type: 'error', doc: 'notes/a', code: 'forbidden', message: 'viewer' })
    expect(got).toEqual([{ doc: 'notes/a', code: 'forbidden', message: 'viewer' }])
    expect(errors).toEqual([])
  })
})

describe('close codes', () => {
  it('4001: a fresh token, and at once', async () => {
    let n = 0
    const { ws, clock, states } = await client({ token: async () => `t${++n}` })
    ws.last().accept()
    ws.last().serverClose(4001)
    await clock.advance(0) // no backoff wait
    expect(ws.sockets).toHaveLength(2)
    expect(ws.last().token()).toBe('t2')
    ws.last().accept()
    expect(states).toEqual(['open', 'reconnecting', 'open'])
  })

  it('4003: forbidden for good, surfaced, no reconnect; confirmed mutations reject', async () => {
    const { rr, ws, clock, errors } = await client()
    ws.last().accept()
    const q = rr.subscribe('tasks')
    q.listen(() => {})
    const pending = rr.createConfirmed('tasks', { title: 'x' })
    ws.last().serverClose(4003)
    await expect(pending).rejects.toMatchObject({ code: 'forbidden' })
    expect(rr.state).toBe('forbidden')
    expect(q.current.status).toBe('error')
    expect(q.current.error?.code).toBe('forbidden')
    expect(errors.map((e) => [e.error.code, e.source.kind])).toEqual([['forbidden', 'connection']])
    await clock.advance(120_000)
    expect(ws.sockets).toHaveLength(1)
  })

  it('1012: reconnects at once', async () => {
    const { ws, clock } = await client()
    ws.last().accept()
    ws.last().serverClose(1012)
    await clock.advance(0)
    expect(ws.sockets).toHaveLength(2)
  })

  it('4008 and others: back off with full jitter, the first retry fast, capped at 30 s', async () => {
    const { ws, clock } = await client({ random: () => 0.999 })
    ws.last().accept()
    const delays: number[] = []
    for (let i = 0; i < 9; i++) {
      ws.last().serverClose(i === 0 ? 4008 : 1006)
      delays.push(Math.round(clock.pending()[0]!))
      await clock.advance(clock.pending()[0]!)
      expect(ws.sockets).toHaveLength(i + 2)
    }
    expect(delays).toEqual([250, 500, 999, 1998, 3996, 7992, 15984, 29970, 29970])
  })

  it('resets the backoff once a connection stayed open 10 s', async () => {
    const { ws, clock } = await client({ random: () => 0.999 })
    for (let i = 0; i < 3; i++) {
      ws.last().serverClose(1006)
      await clock.advance(clock.pending()[0]!)
    }
    ws.last().accept()
    await clock.advance(10_000)
    ws.last().serverClose(1006)
    expect(Math.round(clock.pending()[0]!)).toBe(250)
  })

  it('a refused upgrade (closed before open) backs off and asks for a fresh token', async () => {
    let n = 0
    const { rr, ws, clock } = await client({ token: async () => `t${++n}` })
    ws.last().serverClose(1006)
    expect(rr.state).toBe('connecting')
    await clock.advance(125)
    expect(ws.last().token()).toBe('t2')
  })

  it('a token source that fails is reported and retried', async () => {
    let fail = true
    const { ws, clock, errors } = await client({ token: async () => { if (fail) throw new Error('signed out'); return 'ok' } })
    expect(ws.sockets).toHaveLength(0)
    expect(errors[0]?.error.code).toBe('unauthorized')
    fail = false
    await clock.advance(125)
    expect(ws.last().token()).toBe('ok')
  })
})

describe('browser signals', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('coming online or becoming visible retries at once instead of waiting out the backoff', async () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' })
    vi.stubGlobal('window', new EventTarget())
    vi.stubGlobal('document', doc)
    const { rr, ws, clock } = await client({ random: () => 0.999 })
    for (let i = 0; i < 6; i++) {
      ws.last().serverClose(1006)
      await clock.advance(clock.pending()[0]!)
    }
    ws.last().serverClose(1006)
    expect(clock.pending()[0]).toBeGreaterThan(10_000)
    window.dispatchEvent(new Event('online'))
    await clock.advance(0)
    expect(ws.sockets).toHaveLength(8)
    ws.last().serverClose(1006)
    doc.dispatchEvent(new Event('visibilitychange')) // still hidden: nothing
    await clock.advance(0)
    expect(ws.sockets).toHaveLength(8)
    doc.visibilityState = 'visible'
    doc.dispatchEvent(new Event('visibilitychange'))
    await clock.advance(0)
    expect(ws.sockets).toHaveLength(9)
    rr.close()
    window.dispatchEvent(new Event('online')) // closed: listeners are gone
    await clock.advance(0)
    expect(ws.sockets).toHaveLength(9)
  })
})

describe('liveness', () => {
  it('pings every 25 s and gives up a socket that stays silent for 10 s after', async () => {
    const { rr, ws, clock } = await client()
    ws.last().accept()
    ws.last().answerPings = false
    await clock.advance(25_000)
    expect(ws.last().of('ping')).toHaveLength(1)
    ws.last().receive({ type: 'pong', ref: 'p1' })
    await clock.advance(25_000)
    expect(ws.last().of('ping')).toHaveLength(2)
    await clock.advance(10_000)
    expect(ws.sockets[0]!.closedWith?.code).toBe(4000)
    expect(rr.state).toBe('reconnecting')
    await clock.advance(250)
    expect(ws.sockets).toHaveLength(2)
  })

  it('gives up a dial that never says hello', async () => {
    const { ws, clock } = await client()
    ws.last().open()
    await clock.advance(10_000)
    expect(ws.sockets[0]!.closedWith).not.toBeNull()
    await clock.advance(250)
    expect(ws.sockets).toHaveLength(2)
  })
})

describe('token refresh', () => {
  it('reconnects with a fresh token 30 s before exp', async () => {
    const now = CLOCK_START / 1000
    let n = 0
    const t = await client({ token: async () => jwt({ sub: 'alice', exp: now + 3600 * ++n }) })
    t.ws.last().accept()
    await t.clock.advance(3600_000 - 30_001)
    expect(t.ws.sockets).toHaveLength(1)
    await t.clock.advance(1)
    expect(t.ws.sockets).toHaveLength(2)
    expect(t.ws.sockets[0]!.closedWith?.code).toBe(1000)
    expect(t.ws.last().token()).toBe(jwt({ sub: 'alice', exp: now + 7200 }))
    expect(t.rr.state).toBe('reconnecting')
    t.ws.last().accept()
    expect(t.rr.state).toBe('open')
  })

  it('leaves a token that cannot be renewed to the server’s 4001', async () => {
    const token = jwt({ sub: 'alice', exp: CLOCK_START / 1000 + 60 })
    const t = await client({ token })
    t.ws.last().accept()
    await t.clock.advance(59_000)
    expect(t.ws.sockets).toHaveLength(1)
  })
})

describe('close()', () => {
  it('closes the socket, stops reconnecting and rejects confirmed mutations with closed', async () => {
    const { rr, ws, clock, states } = await setup()
    ws.last().accept()
    const pending = rr.putConfirmed('tasks', 't1', { a: 1 })
    rr.close()
    await expect(pending).rejects.toMatchObject({ code: 'closed' })
    expect(ws.last().closedWith?.code).toBe(1000)
    expect(states.at(-1)).toBe('closed')
    await clock.advance(60_000)
    expect(ws.sockets).toHaveLength(1)
  })
})
