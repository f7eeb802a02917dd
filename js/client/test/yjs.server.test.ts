import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WS from 'ws'
import * as Y from 'yjs'
import { connect, type RecordRoom } from '../src/index.js'
import { createRest } from '../src/rest.js'
import { openDoc, fieldDocName, type DocProvider } from '../src/yjs.js'
import type { RecordRoomError } from '../src/errors.js'
import { serverUnavailable, startServer, type TestServer } from './rest.server.js'
import { until } from './yjs.relay.js'

const text = (p: DocProvider): string => p.doc.getText('t').toString()

describe('openDoc against a real server', () => {
  const why = serverUnavailable()
  if (why !== null) {
    it.skip(`skipped: ${why}`, () => undefined)
    return
  }
  let server: TestServer
  const room = 'yjs-room'
  const open: RecordRoom[] = []
  const join = (sub: string): RecordRoom => {
    const rr = connect({ url: server.url, room, token: server.token(sub), WebSocket: WS, onError: () => undefined })
    open.push(rr)
    return rr
  }
  beforeAll(async () => {
    server = await startServer('yjs')
    await createRest(server.context(room, 'alice')).me() // alice: the room's admin
  })
  afterAll(async () => {
    for (const rr of open) rr.close()
    await server?.stop()
  })

  it('converges two providers, and gives a late joiner the state', async () => {
    const a = openDoc(join('alice'), 'notes/intro')
    const b = openDoc(join('bob'), 'notes/intro')
    await Promise.all([a.whenSynced, b.whenSynced])
    a.doc.getText('t').insert(0, 'hello')
    b.doc.getText('t').insert(0, 'world ')
    await until(() => text(a) === text(b) && text(a).length === 11, 'convergence', 5000)

    const late = openDoc(join('carol'), 'notes/intro')
    await late.whenSynced
    expect(text(late)).toBe(text(a))

    // What the server stored is the same document (GET /docs/{name}).
    const res = await fetch(`${server.url}/v1/rooms/${room}/docs/notes%2Fintro`, { headers: { Authorization: `Bearer ${server.token('alice')}` } })
    const stored = new Y.Doc()
    Y.applyUpdate(stored, new Uint8Array(await res.arrayBuffer()))
    expect(stored.getText('t').toString()).toBe(text(a))
  })

  it('relays awareness and announces leaving', async () => {
    const a = openDoc(join('alice'), 'notes/presence')
    a.awareness.setLocalStateField('user', { name: 'Ann' })
    await a.whenSynced
    const b = openDoc(join('bob'), 'notes/presence')
    await until(() => b.awareness.getStates().get(a.doc.clientID)?.user?.name === 'Ann', "Ann's presence at Bob's", 5000)
    b.awareness.setLocalStateField('user', { name: 'Bob' })
    await until(() => a.awareness.getStates().get(b.doc.clientID)?.user?.name === 'Bob', "Bob's presence at Ann's", 5000)
    b.destroy()
    await until(() => !a.awareness.getStates().has(b.doc.clientID), "Bob's leaving", 5000)
  })

  it('shares one socket between documents', async () => {
    const rr = join('alice')
    const one = openDoc(rr, 'notes/one')
    const two = openDoc(rr, 'notes/two')
    const other = join('bob')
    const oneB = openDoc(other, 'notes/one')
    const twoB = openDoc(other, 'notes/two')
    await Promise.all([one, two, oneB, twoB].map((p) => p.whenSynced))
    one.doc.getText('t').insert(0, '1')
    twoB.doc.getText('t').insert(0, '2')
    await until(() => text(oneB) === '1' && text(two) === '2', 'both documents', 5000)
    expect([text(one), text(twoB)]).toEqual(['1', '2'])
  })

  it('resyncs after the server restarts: edits made while it was down, and presence', async () => {
    const a = openDoc(join('alice'), 'notes/restart')
    const b = openDoc(join('bob'), 'notes/restart')
    a.awareness.setLocalStateField('user', 'Ann')
    b.awareness.setLocalStateField('user', 'Bob')
    await Promise.all([a.whenSynced, b.whenSynced])
    await until(() => b.awareness.getStates().get(a.doc.clientID)?.user === 'Ann', 'presence before', 5000)

    const restarted = server.restart()
    await until(() => !a.synced && !b.synced, 'both providers noticing', 10_000)
    a.doc.getText('t').insert(0, 'while down')
    await restarted
    await until(() => a.synced && b.synced && text(b) === 'while down', 'the resync', 15_000)
    await until(() => b.awareness.getStates().get(a.doc.clientID)?.user === 'Ann', "Ann's presence after", 5000)
    await until(() => a.awareness.getStates().get(b.doc.clientID)?.user === 'Bob', "Bob's presence after", 5000)
  }, 40_000)

  it('follows a record\'s rules in field documents, and refuses a viewer\'s edits', async () => {
    const admin = createRest(server.context(room, 'alice'))
    const viewerRest = createRest(server.context(room, 'vic'))
    await viewerRest.me()
    await admin.setRole('vic', 'viewer')

    const missing = openDoc(join('alice'), fieldDocName('tasks', 'nope', 'note'))
    await expect(missing.whenSynced).rejects.toMatchObject({ code: 'not_found' })

    const errors: RecordRoomError[] = []
    const v = openDoc(join('vic'), 'notes/readonly', { onError: (e) => errors.push(e) })
    await v.whenSynced
    v.doc.getText('t').insert(0, 'not allowed')
    await until(() => errors.length > 0, 'the forbidden error', 5000)
    expect(errors[0]).toMatchObject({ code: 'forbidden' })
    const check = openDoc(join('alice'), 'notes/readonly')
    await check.whenSynced
    expect(text(check)).toBe('')
  })
})
