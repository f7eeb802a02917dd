import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RecordRoomError } from '../src/errors.js'
import { createRest, encodeSegment, errorFromBody, roomUrl, sendJson, type Rest } from '../src/rest.js'
import type { RestContext } from '../src/channel.js'
import type { Record as RoomRecord } from '../src/wire.js'
import { serverUnavailable, startServer, type TestServer } from './rest.server.js'

describe('encodeSegment and roomUrl', () => {
  it('keeps a segment one segment', () => {
    expect(encodeSegment('a/b')).toBe('a%2Fb')
    expect(encodeSegment('x y?#%')).toBe('x%20y%3F%23%25')
    expect(encodeSegment('ünï')).toBe('%C3%BCn%C3%AF')
  })

  it('leaves what a segment may hold as it is', () => {
    expect(encodeSegment('a+b@x.org')).toBe('a+b@x.org')
    expect(encodeSegment("t:1-x_y.z~!$&'()*=")).toBe("t:1-x_y.z~!$&'()*=")
  })

  it('builds room URLs with the query left out where undefined', () => {
    const ctx: RestContext = { baseUrl: 'https://h.example/', room: 'r:1', widget: 'w', fetch, token: () => Promise.resolve('') }
    expect(roomUrl(ctx, ['users', 'a/b'], { x: 'a b', y: undefined })).toBe('https://h.example/v1/rooms/r:1/users/a%2Fb?x=a+b')
  })

  it('refuses the segments URLs would resolve away', () => {
    const ctx: RestContext = { baseUrl: 'http://h', room: 'r', widget: 'w', fetch, token: () => Promise.resolve('') }
    for (const s of ['.', '..']) expect(() => roomUrl(ctx, ['users', s])).toThrow(RecordRoomError)
    expect(roomUrl(ctx, ['users', '...'])).toBe('http://h/v1/rooms/r/users/...')
  })
})

describe('errorFromBody', () => {
  it('reads the contract error shape', () => {
    const e = errorFromBody(422, JSON.stringify({ error: { code: 'invalid', message: 'no', details: [{ path: 'title', message: 'is required' }] } }))
    expect(e).toBeInstanceOf(RecordRoomError)
    expect([e.code, e.message, e.status]).toEqual(['invalid', 'no', 422])
    expect(e.details).toEqual([{ path: 'title', message: 'is required' }])
  })

  it('derives a code from the status of any other answer', () => {
    expect(errorFromBody(502, '<html>Bad gateway</html>').code).toBe('unavailable')
    expect(errorFromBody(404, '').code).toBe('not_found')
    expect(errorFromBody(418, 'teapot')).toMatchObject({ code: 'internal', message: 'HTTP 418: teapot', status: 418 })
  })
})

describe('sendJson', () => {
  it('turns a successful answer that is not JSON into a RecordRoomError', async () => {
    const ctx: RestContext = {
      baseUrl: 'http://h', room: 'r', widget: 'w', token: () => Promise.resolve('t'),
      fetch: () => Promise.resolve(new Response('<html>portal login</html>', { status: 200 })),
    }
    await expect(createRest(ctx).me()).rejects.toMatchObject({ name: 'RecordRoomError', code: 'internal', status: 200 })
  })

  it('sends the token and the widget', async () => {
    let seen: Headers | undefined
    const ctx: RestContext = {
      baseUrl: 'http://h', room: 'r', widget: 'w1', token: () => Promise.resolve('tok'),
      fetch: (_url, init) => { seen = new Headers(init?.headers); return Promise.resolve(Response.json({ users: [] })) },
    }
    expect(await createRest(ctx).users()).toEqual([])
    expect([seen?.get('authorization'), seen?.get('x-widget-id')]).toEqual(['Bearer tok', 'w1'])
  })

  it('rejects an unreachable server as unavailable', async () => {
    const ctx: RestContext = {
      baseUrl: 'http://h', room: 'r', widget: 'w', token: () => Promise.resolve(''),
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    }
    await expect(createRest(ctx).teams()).rejects.toMatchObject({ code: 'unavailable', message: 'the server could not be reached: fetch failed' })
  })
})

describe('REST helpers against a real server', () => {
  const why = serverUnavailable()
  if (why !== null) {
    it.skip(`skipped: ${why}`, () => undefined)
    return
  }
  let server: TestServer
  let alice: Rest
  let bob: Rest
  const room = 'rest-room'
  beforeAll(async () => {
    server = await startServer('rest')
    alice = createRest(server.context(room, 'alice'))
    bob = createRest(server.context(room, 'bob'))
    await alice.me() // the first user becomes the admin
  })
  afterAll(async () => { await server?.stop() })

  it('reads me, users and roles', async () => {
    expect(await alice.me()).toMatchObject({ id: 'alice', role: 'admin' })
    expect(await bob.me()).toMatchObject({ id: 'bob', role: 'member' })
    expect((await alice.users()).map((u) => u.id).sort()).toEqual(['alice', 'bob'])
    expect(await alice.setRole('bob', 'viewer')).toMatchObject({ id: 'bob', role: 'viewer' })
    await expect(bob.setRole('alice', 'viewer')).rejects.toMatchObject({ code: 'forbidden', status: 403 })
    await alice.setRole('bob', 'member')
  })

  it('changes settings', async () => {
    expect(await alice.settings()).toEqual({ defaultRole: 'member', allowAnonymous: false })
    expect(await alice.patchSettings({ allowAnonymous: true })).toEqual({ defaultRole: 'member', allowAnonymous: true })
    await expect(bob.patchSettings({ defaultRole: 'admin' })).rejects.toBeInstanceOf(RecordRoomError)
    await alice.patchSettings({ allowAnonymous: false })
  })

  it('manages teams, members and invites', async () => {
    const carol = createRest(server.context(room, 'carol', { email: 'carol@x.org' }))
    await carol.me() // in the room before being invited: answers the invite herself
    const team = await alice.createTeam('Core', { id: 'core' })
    expect(team).toMatchObject({ id: 'core', name: 'Core', createdBy: 'alice' })
    expect((await alice.createTeam('Other')).id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await alice.renameTeam('core', 'Core team')).toMatchObject({ name: 'Core team' })
    expect(await bob.team('core')).toMatchObject({ name: 'Core team' })
    const member = await alice.addTeamMember('core', { userId: 'bob' })
    expect(member).toMatchObject({ teamId: 'core', userId: 'bob', status: 'active', role: 'member' })
    const invite = await alice.addTeamMember('core', { email: 'carol@x.org', role: 'admin' })
    const other = await alice.addTeamMember('core', { email: 'dave@x.org' })
    expect(invite.status).toBe('pending')
    expect((await bob.teamMembers('core')).map((m) => m.id).sort()).toEqual([member.id, invite.id, other.id].sort())

    expect((await carol.invites()).map((i) => i.id)).toEqual([invite.id])
    expect(await carol.acceptInvite(invite.id)).toMatchObject({ userId: 'carol', status: 'active' })
    const dave = createRest(server.context(room, 'dave', { email: 'other@x.org' }))
    await expect(dave.declineInvite(other.id)).rejects.toMatchObject({ code: 'not_found' })

    await bob.removeTeamMember('core', member.id) // leaving a team needs no admin
    expect((await alice.teamMembers('core')).some((m) => m.id === member.id)).toBe(false)
    expect((await alice.teams()).map((t) => t.name).sort()).toEqual(['Core team', 'Other'])
    await alice.deleteTeam('core')
    await expect(alice.team('core')).rejects.toMatchObject({ code: 'not_found', status: 404 })
  })

  it('declines an invite, and accepts those of a first access by itself', async () => {
    await alice.createTeam('Ops', { id: 'ops' })
    const frank = createRest(server.context(room, 'frank', { email: 'frank@x.org' }))
    await frank.me() // in the room before the invite: answers it explicitly
    const invite = await alice.addTeamMember('ops', { email: 'frank@x.org' })
    expect((await frank.invites()).map((i) => i.id)).toEqual([invite.id])
    expect(await frank.declineInvite(invite.id)).toMatchObject({ id: invite.id, status: 'declined' })
    expect(await frank.invites()).toEqual([])

    await alice.addTeamMember('ops', { email: 'erin@x.org' })
    const erin = createRest(server.context(room, 'erin', { email: 'erin@x.org' }))
    await erin.me()
    expect(await erin.invites()).toEqual([])
    expect((await alice.teamMembers('ops')).map((m) => [m.email, m.userId, m.status]).sort()).toEqual([
      ['erin@x.org', 'erin', 'active'], ['frank@x.org', undefined, 'declined'],
    ])
  })

  const roundTripUser = async (id: string): Promise<void> => {
    const rest = createRest(server.context(room, id))
    expect((await rest.me()).id).toBe(id)
    expect(await alice.setRole(id, 'viewer')).toMatchObject({ id, role: 'viewer' })
    await alice.removeUser(id)
    expect((await alice.users()).some((u) => u.id === id)).toBe(false)
  }

  it('reaches a user id holding + and @', () => roundTripUser('a+b@x.org'))

  // Path segments that need escapes (%20, %25, %2F) reach the server as the id they encode.
  it('reaches a user id holding a space, % and /', () => roundTripUser('sp ace%/slash'))

  it('reads and writes the schema', async () => {
    const r = createRest(server.context('rest-schema', 'alice'))
    expect(await r.getSchema()).toBeNull()
    const doc = { collections: { tasks: { fields: { title: { type: 'string' as const, required: true } } } } }
    expect(await r.putSchema(doc)).toEqual(doc)
    expect(await r.getSchema()).toEqual(doc)
    const err = await r.putSchema({ collections: { tasks: { access: { write: 'viewer' as 'member' } } } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RecordRoomError)
    expect(err).toMatchObject({ code: 'bad_request', status: 400 })
    expect((err as RecordRoomError).message).toContain('collections.tasks.access.write')
  })

  it('lists records page by page, filtered and ordered', async () => {
    const ctx = server.context('rest-records', 'alice')
    for (let i = 0; i < 5; i++) {
      await sendJson<RoomRecord>(ctx, {
        method: 'POST', segments: ['collections', 'tasks', 'records'], contentType: 'application/json',
        body: JSON.stringify({ id: `t${i}`, data: { n: i, odd: i % 2 === 1 } }),
      })
    }
    const rest = createRest(ctx)
    const first = await rest.records<{ n: number; odd: boolean }>('tasks', { orderBy: [{ field: 'n', dir: 'desc' }], limit: 2 })
    expect(first.records.map((r) => r.data.n)).toEqual([4, 3])
    expect(first.next).toBeTypeOf('string')
    const second = await rest.records('tasks', { orderBy: [{ field: 'n', dir: 'desc' }], limit: 2, after: first.next })
    expect(second.records.map((r) => r.id)).toEqual(['t2', 't1'])
    const odd = await rest.records('tasks', { where: { odd: true } })
    expect(odd.records.map((r) => r.id)).toEqual(['t1', 't3'])
    expect(odd.next).toBeUndefined()
    await expect(rest.records('tasks', { where: { n: { $bogus: 1 } } })).rejects.toMatchObject({ code: 'bad_request' })
  })
})
