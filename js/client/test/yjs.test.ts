import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { fieldDocName, openDoc, type DocProvider } from '../src/yjs.js'
import { RecordRoomError } from '../src/errors.js'
import { Relay, until } from './yjs.relay.js'

const text = (p: DocProvider): string => p.doc.getText('t').toString()

describe('openDoc over an in-memory relay', () => {
  it('syncs two providers both ways, edits made before and after the sync', async () => {
    const relay = new Relay()
    const ca = relay.channel()
    const cb = relay.channel()
    ca.open()
    const a = openDoc(ca, 'notes/1')
    a.doc.getText('t').insert(0, 'hello')
    await a.whenSynced
    expect(relay.doc('notes/1').getText('t').toString()).toBe('hello')

    const bdoc = new Y.Doc()
    bdoc.getText('t').insert(0, 'B:') // made offline, before b's first sync
    const b = openDoc(cb, 'notes/1', { doc: bdoc })
    expect(b.doc).toBe(bdoc)
    expect(b.synced).toBe(false)
    cb.open()
    await b.whenSynced
    expect(b.synced).toBe(true)
    await until(() => text(a) === text(b) && text(a).length === 7, 'convergence')

    a.doc.getText('t').insert(text(a).length, ' world')
    b.doc.getText('t').insert(0, '>')
    await until(() => text(a) === text(b) && text(a).includes(' world') && text(a).startsWith('>'), 'concurrent edits')
    expect(relay.doc('notes/1').getText('t').toString()).toBe(text(a))
  })

  it('gives a late joiner the whole state', async () => {
    const relay = new Relay()
    const ca = relay.channel()
    ca.open()
    const a = openDoc(ca, 'd')
    await a.whenSynced
    a.doc.getMap('m').set('k', 1)
    a.doc.getText('t').insert(0, 'abc')
    await until(() => relay.doc('d').getText('t').toString() === 'abc', 'the relay storing')
    a.destroy()
    ca.drop('closed')

    const cc = relay.channel()
    cc.open()
    const c = openDoc(cc, 'd')
    await c.whenSynced
    expect(text(c)).toBe('abc')
    expect(c.doc.getMap('m').get('k')).toBe(1)
  })

  it('does not send back what it applied', async () => {
    const relay = new Relay()
    const ca = relay.channel()
    const cb = relay.channel()
    ca.open()
    cb.open()
    const a = openDoc(ca, 'd')
    const b = openDoc(cb, 'd')
    await Promise.all([a.whenSynced, b.whenSynced])
    a.doc.getText('t').insert(0, 'x')
    await until(() => text(b) === 'x', 'the update reaching b')
    await new Promise((r) => setTimeout(r, 20))
    const updates = (from: unknown): number => relay.received.filter((m) => m.from === from && m.type === 0 && m.sub === 2).length
    expect(updates(ca)).toBe(1)
    expect(updates(cb)).toBe(0)
  })

  it('keeps documents apart on one channel', async () => {
    const relay = new Relay()
    const ca = relay.channel()
    const cb = relay.channel()
    ca.open()
    cb.open()
    const a1 = openDoc(ca, 'one')
    const a2 = openDoc(ca, 'two')
    const b1 = openDoc(cb, 'one')
    const b2 = openDoc(cb, 'two')
    await Promise.all([a1, a2, b1, b2].map((p) => p.whenSynced))
    a1.doc.getText('t').insert(0, 'first')
    b2.doc.getText('t').insert(0, 'second')
    await until(() => text(b1) === 'first' && text(a2) === 'second', 'both documents')
    expect([text(a1), text(a2), text(b1), text(b2)]).toEqual(['first', 'second', 'first', 'second'])
    expect(relay.doc('one').getText('t').toString()).toBe('first')
    expect(relay.doc('two').getText('t').toString()).toBe('second')
  })

  it('relays awareness, brings others\' on joining, and announces leaving', async () => {
    const relay = new Relay()
    const ca = relay.channel()
    const cb = relay.channel()
    ca.open()
    cb.open()
    const a = openDoc(ca, 'd')
    a.awareness.setLocalStateField('user', { name: 'Ann' })
    await a.whenSynced
    const b = openDoc(cb, 'd') // joins after Ann announced herself: query-awareness brings her
    await until(() => b.awareness.getStates().get(a.doc.clientID) !== undefined, "Ann's presence at b")
    expect(b.awareness.getStates().get(a.doc.clientID)).toEqual({ user: { name: 'Ann' } })

    b.awareness.setLocalStateField('user', { name: 'Bob' })
    await until(() => a.awareness.getStates().get(b.doc.clientID) !== undefined, "Bob's presence at a")
    b.destroy()
    await until(() => !a.awareness.getStates().has(b.doc.clientID), "Bob's leaving")
    expect(b.awareness.getLocalState()).toBeNull()
  })

  it('resyncs after a reconnect, sending what was edited while down', async () => {
    const relay = new Relay()
    const ca = relay.channel()
    const cb = relay.channel()
    ca.open()
    cb.open()
    const a = openDoc(ca, 'd')
    const b = openDoc(cb, 'd')
    const seen: boolean[] = []
    a.onSynced((s) => seen.push(s))
    a.awareness.setLocalStateField('user', 'Ann')
    b.awareness.setLocalStateField('user', 'Bob')
    await Promise.all([a.whenSynced, b.whenSynced])
    await until(() => a.awareness.getStates().has(b.doc.clientID), 'presence before the drop')
    await until(() => b.awareness.getStates().has(a.doc.clientID), 'presence before the drop')

    ca.drop()
    expect(a.synced).toBe(false)
    expect(a.awareness.getStates().has(b.doc.clientID)).toBe(false) // unknown while down
    a.doc.getText('t').insert(0, 'offline ')
    b.doc.getText('t').insert(0, 'online')
    await new Promise((r) => setTimeout(r, 20))
    expect(text(b)).toBe('online')
    expect(b.awareness.getStates().has(a.doc.clientID)).toBe(false) // announced gone by the relay

    ca.open()
    await until(() => a.synced && text(a) === text(b) && text(a).length === 14, 'the resync')
    expect(seen).toEqual([true, false, true])
    await until(() => a.awareness.getStates().has(b.doc.clientID), "Bob's presence after the reconnect")
    await until(() => b.awareness.getStates().get(a.doc.clientID)?.user === 'Ann', "Ann's presence after the reconnect")
  })

  it('reports the server\'s doc errors: a refused edit, and an open that failed before the sync', async () => {
    const relay = new Relay()
    const cv = relay.channel({ readOnly: true, missing: ['tasks/nope/note'] })
    cv.open()
    const errors: RecordRoomError[] = []
    const v = openDoc(cv, 'notes/1', { onError: (e) => errors.push(e) })
    await v.whenSynced
    v.doc.getText('t').insert(0, 'viewer edit')
    await until(() => errors.length > 0, 'the forbidden error')
    expect(errors[0]).toBeInstanceOf(RecordRoomError)
    expect(errors[0]).toMatchObject({ code: 'forbidden' })
    errors.length = 0
    expect(relay.doc('notes/1').getText('t').toString()).toBe('')

    const missing = openDoc(cv, 'tasks/nope/note', { onError: (e) => errors.push(e) })
    await expect(missing.whenSynced).rejects.toMatchObject({ code: 'not_found' })
    expect(errors.map((e) => e.code)).toContain('not_found')
  })

  it('rejects whenSynced when the connection ends or the provider goes first', async () => {
    const relay = new Relay()
    const c = relay.channel()
    const p = openDoc(c, 'd')
    c.drop('forbidden')
    await expect(p.whenSynced).rejects.toMatchObject({ code: 'closed' })
    await expect(openDoc(c, 'opened-after').whenSynced).rejects.toMatchObject({ code: 'closed' })
    const q = openDoc(relay.channel(), 'd')
    q.destroy()
    await expect(q.whenSynced).rejects.toMatchObject({ code: 'closed' })
  })

  it('stops sending when destroyed, and when its doc is', async () => {
    const relay = new Relay()
    const c = relay.channel()
    c.open()
    const p = openDoc(c, 'd')
    await p.whenSynced
    p.destroy()
    p.doc.getText('t').insert(0, 'after')
    const doc = new Y.Doc()
    const q = openDoc(c, 'e', { doc })
    await q.whenSynced
    doc.destroy()
    await new Promise((r) => setTimeout(r, 20))
    expect(relay.received.filter((m) => m.type === 0 && m.sub === 2)).toEqual([])
    expect(relay.doc('d').getText('t').toString()).toBe('')
  })
})

describe('fieldDocName', () => {
  it('joins a record field\'s document name, refusing parts that would break it', () => {
    expect(fieldDocName('tasks', 't1', 'note')).toBe('tasks/t1/note')
    expect(() => fieldDocName('tasks', 'a/b', 'note')).toThrow(RecordRoomError)
    expect(() => fieldDocName('tasks', 't1', '')).toThrow(RecordRoomError)
  })
})
