import { useEffect, useState } from 'react'
import { afterEach, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import type { RecordRoom } from '@recordroom/client'
import {
  RecordProvider, useFiles, useMe, useMutations, useQuery, useRecord, useUsers, type FilesResult, type Mutations,
} from '../src/index.js'
import { client, freshRoom, render, server, settle, token, waitFor, type Mounted } from './helpers.js'

const open: Array<RecordRoom | Mounted> = []
afterEach(async () => {
  for (const o of open.splice(0)) 'unmount' in o ? await o.unmount() : o.close()
})

function mount(room: string, sub: string, node: React.ReactNode): Promise<Mounted> {
  return render(
    <RecordProvider url={server.url} room={room} token={token(sub)} options={{ WebSocket }}>
      {node}
    </RecordProvider>,
  ).then((m) => (open.push(m), m))
}

function other(room: string, sub: string): RecordRoom {
  const rr = client(room, sub)
  open.push(rr)
  return rr
}

function Titles({ where, limit }: { where?: { [k: string]: string | boolean }; limit?: number }) {
  // A new options literal on every render: the subscription must not churn.
  const { status, records } = useQuery<{ title: string }>('tasks', { where, orderBy: [{ field: 'title' }], limit })
  return <p data-status={status}>{records.map((r) => r.data.title).join(',')}</p>
}

describe('useQuery', () => {
  test('shows the live, ordered result: creates, puts and removes of another client', async () => {
    const room = freshRoom()
    const alice = other(room, 'alice')
    await alice.createConfirmed('tasks', { title: 'b', done: false }, { id: 'b' })
    const m = await mount(room, 'bob', <Titles />)
    await waitFor(() => expect(m.container.textContent).toBe('b'))
    await alice.createConfirmed('tasks', { title: 'a', done: false }, { id: 'a' })
    await waitFor(() => expect(m.container.textContent).toBe('a,b'))
    await alice.putConfirmed('tasks', 'a', { title: 'c' })
    await waitFor(() => expect(m.container.textContent).toBe('b,c'))
    await alice.removeConfirmed('tasks', 'b')
    await waitFor(() => expect(m.container.textContent).toBe('c'))
  })

  test('where and limit reach the server; byte order for strings', async () => {
    const room = freshRoom()
    const alice = other(room, 'alice')
    for (const title of ['é', 'z', 'Z', 'a']) await alice.createConfirmed('tasks', { title, done: title !== 'z' })
    const m = await mount(room, 'alice', <Titles where={{ done: true }} limit={2} />)
    // UTF-8 byte order: "Z" (0x5A) < "a" (0x61) < "é" (0xC3…); z is not done.
    await waitFor(() => expect(m.container.textContent).toBe('Z,a'))
  })

  test('useRecord follows one record and says when it is missing', async () => {
    const room = freshRoom()
    const alice = other(room, 'alice')
    function One({ id }: { id: string }) {
      const { status, record } = useRecord<{ title: string }>('tasks', id)
      return <p>{status}:{record === null ? 'none' : `${record.data.title}@${record.version}`}</p>
    }
    const m = await mount(room, 'alice', <One id="t1" />)
    await waitFor(() => expect(m.container.textContent).toBe('ready:none'))
    await alice.createConfirmed('tasks', { title: 'x' }, { id: 't1' })
    await waitFor(() => expect(m.container.textContent).toBe('ready:x@1'))
    await alice.putConfirmed('tasks', 't1', { title: 'y' })
    await waitFor(() => expect(m.container.textContent).toBe('ready:y@2'))
  })
})

describe('useMutations', () => {
  test('keeps its identity across renders and rejects an invalid confirmed create with its path', async () => {
    const room = freshRoom()
    const alice = other(room, 'alice')
    await alice.rest.putSchema({
      collections: { tasks: { fields: { title: { type: 'string', required: true, maxLength: 5 } } } },
    })
    const seen = new Set<Mutations>()
    let bump: () => void = () => {}
    function Uses() {
      const m = useMutations()
      // Seen when committed: StrictMode may render a tree twice and keep only one (React 18 does).
      useEffect(() => {
        seen.add(m)
      })
      const [n, setN] = useState(0)
      bump = () => setN(n + 1)
      return <p>{n}</p>
    }
    const m = await mount(room, 'alice', <Uses />)
    let mutations: Mutations | undefined
    await waitFor(() => {
      mutations = [...seen][0]
      expect(mutations).toBeDefined()
    })
    await waitFor(() => expect(m.container.textContent).toBe('0'))
    bump()
    await settle()
    expect(m.container.textContent).toBe('1')
    expect(seen.size).toBe(1)

    const rec = await mutations!.createConfirmed('tasks', { title: 'ok' })
    expect(rec.data).toEqual({ title: 'ok' })
    const err = await mutations!.createConfirmed('tasks', { title: 'much too long' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'invalid' })
    expect((err as { details: Array<{ path: string }> }).details.map((d) => d.path)).toContain('title')
  })
})

describe('useMe and useUsers', () => {
  test('me is the caller; users are live as people join', async () => {
    const room = freshRoom()
    function Who() {
      const { me } = useMe()
      const { users } = useUsers()
      return <p>{me === null ? '-' : `${me.id}:${me.role}`}|{users.map((u) => `${u.id}:${u.role}`).sort().join(',')}</p>
    }
    const m = await mount(room, 'alice', <Who />)
    await waitFor(() => expect(m.container.textContent).toBe('alice:admin|alice:admin'))
    const bob = other(room, 'bob')
    await bob.rest.me()
    await waitFor(() => expect(m.container.textContent).toBe('alice:admin|alice:admin,bob:member'))
  })
})

describe('useFiles', () => {
  test('lists, uploads and removes, refreshing the list', async () => {
    const room = freshRoom()
    let files: FilesResult | null = null
    function Files() {
      files = useFiles({ prefix: 'docs/' })
      return <p>{files.status}:{files.files.map((f) => `${f.path}=${f.size}`).join(',')}</p>
    }
    const m = await mount(room, 'alice', <Files />)
    await waitFor(() => expect(m.container.textContent).toBe('ready:'))
    await files!.upload('docs/a.txt', 'hello')
    await files!.upload('other/b.txt', 'not listed')
    await waitFor(() => expect(m.container.textContent).toBe('ready:docs/a.txt=5'))
    const url = await files!.url('docs/a.txt')
    expect(await (await fetch(url)).text()).toBe('hello')
    await files!.remove('docs/a.txt')
    await waitFor(() => expect(m.container.textContent).toBe('ready:'))
  })
})
