import { afterEach, describe, expect, it } from 'vitest'
import type { RecordRoom } from '../src/client.js'
import type { CreateMessage, Record } from '../src/wire.js'
import { settle } from './helpers.js'
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

function stored(id: string, data: object, userId = 'alice'): Record {
  return { id, collection: 'tasks', userId, data: data as Record['data'], version: 1, createdAt: '2026-11-27T10:00:00.000000Z', updatedAt: '2026-11-27T10:00:00.000000Z' }
}

describe('fire-and-forget', () => {
  it('create returns a client-generated UUIDv7 at once and sends it with a ref', async () => {
    const { rr, ws } = await client()
    ws.last().accept()
    const id = rr.create('tasks', { title: 'x' })
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(rr.create('tasks', { title: 'y' }, { id: 'mine' })).toBe('mine')
    rr.put('tasks', 'mine', { done: true }, { ifVersion: 1 })
    rr.remove('tasks', 'mine')
    expect(ws.last().messages()).toEqual([
      { type: 'create', ref: 'm1', collection: 'tasks', id, data: { title: 'x' } },
      { type: 'create', ref: 'm2', collection: 'tasks', id: 'mine', data: { title: 'y' } },
      { type: 'put', ref: 'm3', collection: 'tasks', id: 'mine', data: { done: true }, ifVersion: 1 },
      { type: 'remove', ref: 'm4', collection: 'tasks', id: 'mine' },
    ])
  })

  it('queues while disconnected and sends in order after the subscriptions', async () => {
    const { rr, ws } = await client()
    rr.create('tasks', { n: 1 }, { id: 'a' })
    rr.subscribe('tasks').listen(() => {})
    rr.remove('tasks', 'a')
    ws.last().accept()
    expect(ws.last().messages().map((m) => m.type)).toEqual(['subscribe', 'create', 'remove'])
  })

  it('throws queue_full when maxQueuedMutations wait already', async () => {
    const { rr } = await client({ maxQueuedMutations: 2 })
    rr.create('tasks', {})
    rr.create('tasks', {})
    expect(() => rr.create('tasks', {})).toThrow(expect.objectContaining({ code: 'queue_full' }))
    await expect(rr.createConfirmed('tasks', {})).rejects.toMatchObject({ code: 'queue_full' })
  })

  it('refuses a mutation bigger than the frame limit at once', async () => {
    const { rr } = await client()
    expect(() => rr.create('tasks', { blob: 'é'.repeat(600_000) })).toThrow(expect.objectContaining({ code: 'too_large' }))
  })

  it('reports the error of a sent one to onError, naming the mutation', async () => {
    const { rr, ws, errors } = await client()
    ws.last().accept()
    rr.put('tasks', 't1', { title: 5 })
    ws.last().receive({ type: 'error', ref: 'm1', code: 'invalid', message: 'bad', details: [{ path: '/title', message: 'want string' }] })
    expect(errors).toHaveLength(1)
    expect(errors[0]!.error).toMatchObject({ code: 'invalid', details: [{ path: '/title', message: 'want string' }] })
    expect(errors[0]!.source).toEqual({ kind: 'mutation', mutation: { type: 'put', ref: 'm1', collection: 'tasks', id: 't1', data: { title: 5 } } })
  })
})

describe('confirmed', () => {
  it('resolves with the acknowledged record, and remove with nothing', async () => {
    const { rr, ws } = await client()
    ws.last().accept()
    const created = rr.createConfirmed('tasks', { title: 'x' }, { id: 't1' })
    const removed = rr.removeConfirmed('tasks', 't1')
    ws.last().receive({ type: 'ack', ref: 'm1', record: stored('t1', { title: 'x' }) })
    ws.last().receive({ type: 'ack', ref: 'm2', id: 't1' })
    expect((await created).data).toEqual({ title: 'x' })
    await expect(removed).resolves.toBeUndefined()
  })

  it("rejects with the server's code and field paths", async () => {
    const { rr, ws } = await client()
    ws.last().accept()
    const p = rr.putConfirmed('tasks', 't1', { priority: -1 })
    ws.last().receive({ type: 'error', ref: 'm1', code: 'invalid', message: 'schema', details: [{ path: '/priority', message: 'minimum 0' }] })
    await expect(p).rejects.toMatchObject({ name: 'RecordRoomError', code: 'invalid', details: [{ path: '/priority', message: 'minimum 0' }] })
  })

  it('sends a mutation refused by a rate limit again after retryAfterMs; another limit is final', async () => {
    const { rr, ws, clock } = await client()
    ws.last().accept()
    const p = rr.createConfirmed('tasks', { title: 'x' }, { id: 't1' })
    ws.last().receive({ type: 'error', ref: 'm1', code: 'limit', message: 'too fast', retryAfterMs: 250 })
    await clock.advance(249)
    expect(ws.last().of('create')).toHaveLength(1)
    await clock.advance(1)
    expect(ws.last().of('create')).toHaveLength(2)
    ws.last().receive({ type: 'ack', ref: 'm1', record: stored('t1', { title: 'x' }) })
    expect((await p).id).toBe('t1')

    const q = rr.putConfirmed('tasks', 't1', { a: 1 })
    ws.last().receive({ type: 'error', ref: 'm2', code: 'limit', message: 'no index' })
    await expect(q).rejects.toMatchObject({ code: 'limit' })
  })

  it('rejects with timeout after mutationTimeoutMs, and a never-sent one is withdrawn', async () => {
    const { rr, ws, clock } = await client({ mutationTimeoutMs: 5_000 })
    const p = rr.createConfirmed('tasks', {}, { id: 'late' })
    let settled = false
    const caught = p.catch((e: unknown) => e).finally(() => (settled = true))
    await clock.advance(4_999)
    await settle()
    expect(settled).toBe(false)
    await clock.advance(1)
    expect(await caught).toMatchObject({ code: 'timeout' })
    ws.last().accept()
    expect(ws.last().of('create')).toEqual([]) // it timed out unsent: it is not sent later
  })

  it('resends in-flight mutations after a reconnect, and they land once', async () => {
    const { rr, ws, clock } = await client()
    ws.last().accept()
    const p = rr.createConfirmed('tasks', { title: 'x' })
    rr.put('tasks', 't9', { a: 1 })
    const first = ws.last().of('create')[0]!
    ws.last().serverClose(1012)
    await clock.advance(0)
    ws.last().accept()
    expect(ws.last().messages().map((m) => m.type)).toEqual(['create', 'put'])
    expect(ws.last().of('create')[0]).toEqual(first)
    ws.last().receive({ type: 'ack', ref: first.ref, record: stored(first.id!, { title: 'x' }) })
    expect((await p).id).toBe(first.id)
  })

  it("resolves a resent create answering conflict with the stored record when it is the caller's own", async () => {
    const lookups: string[] = []
    const fetch: typeof globalThis.fetch = async (input) => {
      lookups.push(String(input))
      const id = String(input).split('/').at(-1)!
      return new Response(JSON.stringify(stored(id, { title: 'x' }, id === 'theirs' ? 'bob' : 'alice')), { status: 200 })
    }
    const { rr, ws, clock } = await client({ fetch })
    ws.last().accept()
    const mine = rr.createConfirmed('tasks', { title: 'x' }, { id: 'ours' })
    const theirs = rr.createConfirmed('tasks', { title: 'x' }, { id: 'theirs' })
    ws.last().serverClose(1006)
    await clock.advance(250)
    ws.last().accept()
    const [a, b] = ws.last().of('create') as [CreateMessage, CreateMessage]
    ws.last().receive({ type: 'error', ref: a.ref, code: 'conflict', message: 'exists' })
    ws.last().receive({ type: 'error', ref: b.ref, code: 'conflict', message: 'exists' })
    expect((await mine).userId).toBe('alice')
    await expect(theirs).rejects.toMatchObject({ code: 'conflict' })
    expect(lookups).toEqual([
      'http://localhost:8080/v1/rooms/r1/collections/tasks/records/ours',
      'http://localhost:8080/v1/rooms/r1/collections/tasks/records/theirs',
    ])
  })

  it('resolves a resent remove answering not_found; a first-time not_found rejects', async () => {
    const { rr, ws, clock } = await client()
    ws.last().accept()
    const resent = rr.removeConfirmed('tasks', 'gone')
    ws.last().serverClose(1012)
    await clock.advance(0)
    ws.last().accept()
    const fresh = rr.removeConfirmed('tasks', 'never')
    const [a, b] = ws.last().of('remove')
    ws.last().receive({ type: 'error', ref: a!.ref, code: 'not_found', message: 'no' })
    ws.last().receive({ type: 'error', ref: b!.ref, code: 'not_found', message: 'no' })
    await expect(resent).resolves.toBeUndefined()
    await expect(fresh).rejects.toMatchObject({ code: 'not_found' })
  })
})
