import { afterEach, describe, expect, it } from 'vitest'
import type { RecordRoom } from '../src/client.js'
import type { Record } from '../src/wire.js'
import { settle } from './helpers.js'
import { setup } from './setup.js'

let open: RecordRoom[] = []
afterEach(() => {
  for (const rr of open) rr.close()
  open = []
})
async function connected() {
  const t = await setup()
  open.push(t.rr)
  t.ws.last().accept()
  return t
}

function rec(id: string, p: number, version = 1): Record {
  return { id, collection: 'tasks', userId: 'alice', data: { p }, version, createdAt: '2026-11-27T10:00:00.000000Z', updatedAt: '2026-11-27T10:00:00.000000Z' }
}

describe('sharing', () => {
  it('gives identical queries (keys in any order) one LiveQuery and one wire subscription', async () => {
    const { rr, ws } = await connected()
    const a = rr.subscribe('tasks', { where: { done: false, tag: { $in: ['x'] } }, orderBy: [{ field: 'p', dir: 'desc' }], limit: 5 })
    const b = rr.subscribe('tasks', { limit: 5, orderBy: [{ dir: 'desc', field: 'p' }], where: { tag: { $in: ['x'] }, done: false } })
    expect(b).toBe(a)
    a.listen(() => {})
    b.listen(() => {})
    expect(ws.last().of('subscribe')).toEqual([
      { type: 'subscribe', sub: 's1', collection: 'tasks', where: { done: false, tag: { $in: ['x'] } }, orderBy: [{ field: 'p', dir: 'desc' }], limit: 5 },
    ])
    expect(rr.subscribe('tasks', { limit: 6 })).not.toBe(a)
  })

  it('sends nothing until the first listener, and unsubscribes a macrotask after the last leaves', async () => {
    const { rr, ws, clock } = await connected()
    const q = rr.subscribe('tasks')
    expect(ws.last().of('subscribe')).toHaveLength(0)
    const stop1 = q.listen(() => {})
    const stop2 = q.listen(() => {})
    stop1()
    stop1() // twice is once
    await clock.advance(0)
    expect(ws.last().of('unsubscribe')).toHaveLength(0)
    stop2()
    await clock.advance(0)
    expect(ws.last().of('unsubscribe')).toEqual([{ type: 'unsubscribe', sub: 's1' }])
    expect(rr.subscribe('tasks')).not.toBe(q) // forgotten: a new query next time
  })

  it("survives StrictMode's mount-unmount-mount without unsubscribing", async () => {
    const { rr, ws, clock } = await connected()
    const q = rr.subscribe('tasks')
    const stop = q.listen(() => {})
    stop()
    q.listen(() => {})
    await clock.advance(0)
    expect(ws.last().messages().map((m) => m.type)).toEqual(['subscribe'])
  })
})

describe('results', () => {
  it('applies snapshot and changes in order, notifying only on change, keeping identities', async () => {
    const { rr, ws } = await connected()
    const q = rr.subscribe<{ p: number }>('tasks', { orderBy: [{ field: 'p' }] })
    let calls = 0
    q.listen(() => calls++)
    expect(q.current.status).toBe('loading')
    ws.last().receive({ type: 'snapshot', sub: 's1', records: [rec('a', 1), rec('b', 2)] })
    expect(q.current.status).toBe('ready')
    expect(q.current.records.map((r) => r.id)).toEqual(['a', 'b'])
    const first = q.current
    ws.last().receive({ type: 'changes', sub: 's1', upserts: [rec('a', 1)], removes: [] })
    expect(q.current).toBe(first)
    expect(calls).toBe(1)
    ws.last().receive({ type: 'changes', sub: 's1', upserts: [rec('c', 0), rec('a', 3, 2)], removes: ['b'] })
    expect(q.current.records.map((r) => `${r.id}:${r.data.p}`)).toEqual(['c:0', 'a:3'])
    expect(calls).toBe(2)
  })

  it('resubscribes after a reconnect and lets the fresh snapshot replace the cache', async () => {
    const { rr, ws, clock } = await connected()
    const q = rr.subscribe('tasks')
    q.listen(() => {})
    ws.last().receive({ type: 'snapshot', sub: 's1', records: [rec('a', 1), rec('b', 2)] })
    const kept = q.current.records[1]
    ws.last().serverClose(1006)
    expect(q.current.records).toHaveLength(2) // stale results stay visible while reconnecting
    await clock.advance(250)
    ws.last().accept()
    expect(ws.last().of('subscribe')).toHaveLength(1)
    ws.last().receive({ type: 'snapshot', sub: 's1', records: [rec('b', 2)] })
    expect(q.current.records).toEqual([kept])
    expect(q.current.records[0]).toBe(kept)
  })

  it('shows a subscription error on the query and reports it; a later snapshot clears it', async () => {
    const { rr, ws, errors } = await connected()
    const q = rr.subscribe('tasks', { where: { $bad: 1 } })
    q.listen(() => {})
    ws.last().receive({ type: 'error', sub: 's1', code: 'bad_request', message: 'where.$bad: unknown operator' })
    expect(q.current.status).toBe('error')
    expect(q.current.error?.code).toBe('bad_request')
    expect(errors.map((e) => [e.error.code, e.source])).toEqual([['bad_request', { kind: 'subscription', collection: 'tasks', options: { where: { $bad: 1 } } }]])
    ws.last().receive({ type: 'snapshot', sub: 's1', records: [] })
    expect(q.current).toEqual({ status: 'ready', records: [] })
  })

  it('subscribes to system collections the same way', async () => {
    const { rr, ws } = await connected()
    const users = rr.subscribe('$users', { orderBy: [{ field: 'name' }] })
    users.listen(() => {})
    expect(ws.last().of('subscribe')[0]).toMatchObject({ collection: '$users' })
    const alice = { id: 'alice', data: { role: 'admin', name: 'Alice', firstSeenAt: 'x', lastSeenAt: 'x' } }
    ws.last().receive({ type: 'snapshot', sub: 's1', records: [alice] })
    ws.last().receive({ type: 'changes', sub: 's1', upserts: [{ id: 'bob', data: { role: 'member', name: 'Bob', firstSeenAt: 'x', lastSeenAt: 'x' } }] })
    expect(users.current.records.map((u) => u.data.name)).toEqual(['Alice', 'Bob'])
  })

  it('ignores messages of a subscription that ended', async () => {
    const { rr, ws, clock } = await connected()
    const q = rr.subscribe('tasks')
    const stop = q.listen(() => {})
    stop()
    await clock.advance(0)
    ws.last().receive({ type: 'snapshot', sub: 's1', records: [rec('a', 1)] })
    await settle()
    expect(q.current.records).toEqual([])
  })
})
