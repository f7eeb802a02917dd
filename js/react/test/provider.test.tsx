import { Component, useEffect, type ReactNode } from 'react'
import { describe, expect, test } from 'vitest'
import type { RecordRoom } from '@recordroom/client'
import { RecordProvider, useConnectionState, useMutations, useQuery, useRecordRoom } from '../src/index.js'
import { client, CountingWebSocket, freshRoom, reactMajor, render, server, settle, token, waitFor } from './helpers.js'

test('the run uses the React it claims', () => {
  expect(reactMajor).toBe(Number(process.env.EXPECT_REACT_MAJOR ?? '19'))
})

/** Shows the connection state and hands the client to the test. */
function Probe({ onClient }: { onClient?: (rr: RecordRoom) => void }) {
  const state = useConnectionState()
  const rr = useRecordRoom()
  useEffect(() => {
    if (rr !== null) onClient?.(rr)
  }, [rr, onClient])
  return <p>{state}</p>
}

describe('RecordProvider', () => {
  test('StrictMode double mount opens one socket, and unmounting closes it', async () => {
    CountingWebSocket.opened = 0
    let rr: RecordRoom | null = null
    const m = await render(
      <RecordProvider url={server.url} room={freshRoom()} token={token('alice')} options={{ WebSocket: CountingWebSocket }}>
        <Probe onClient={(c) => (rr = c)} />
      </RecordProvider>,
    )
    await waitFor(() => expect(m.container.textContent).toBe('open'))
    expect(CountingWebSocket.opened).toBe(1)
    await m.unmount()
    await settle()
    expect(rr).not.toBeNull()
    expect(rr!.state).toBe('closed')
  })

  test('a new token does not reconnect; a new room does, closing the old socket', async () => {
    CountingWebSocket.opened = 0
    const seen: RecordRoom[] = []
    const room = freshRoom()
    const tree = (r: string, t: string) => (
      <RecordProvider url={server.url} room={r} token={t} options={{ WebSocket: CountingWebSocket }}>
        <Probe onClient={(c) => seen.push(c)} />
      </RecordProvider>
    )
    const m = await render(tree(room, token('alice')))
    await waitFor(() => expect(m.container.textContent).toBe('open'))
    await m.rerender(tree(room, token('bob')))
    await settle()
    expect(CountingWebSocket.opened).toBe(1)
    await m.rerender(tree(freshRoom(), token('bob')))
    await waitFor(() => expect(m.container.textContent).toBe('open'))
    await settle()
    expect(CountingWebSocket.opened).toBe(2)
    const distinct = [...new Set(seen)]
    expect(distinct).toHaveLength(2)
    expect(distinct[0]!.state).toBe('closed')
    expect(distinct[1]!.state).toBe('open')
    await m.unmount()
  })

  test('a child mutating from its mount effect uses the provider’s one socket', async () => {
    // put, not create: StrictMode runs the effect twice, and a put is idempotent.
    CountingWebSocket.opened = 0
    const room = freshRoom()
    function Creator() {
      const { put } = useMutations()
      useEffect(() => {
        put('notes', 'n1', { text: 'from an effect' })
      }, [put])
      const { records } = useQuery('notes')
      return <p>{records.map((r) => r.data.text as string).join(',')}</p>
    }
    const m = await render(
      <RecordProvider url={server.url} room={room} token={token('alice')} options={{ WebSocket: CountingWebSocket }}>
        <Creator />
      </RecordProvider>,
    )
    await waitFor(() => expect(m.container.textContent).toBe('from an effect'))
    expect(CountingWebSocket.opened).toBe(1)
    await m.unmount()
  })

  test('a client passed in is used as it is and left open', async () => {
    const room = freshRoom()
    const rr = client(room, 'alice')
    let got: RecordRoom | null = null
    const m = await render(
      <RecordProvider client={rr}>
        <Probe onClient={(c) => (got = c)} />
      </RecordProvider>,
    )
    await waitFor(() => expect(m.container.textContent).toBe('open'))
    expect(got).toBe(rr)
    await m.unmount()
    await settle()
    expect(rr.state).toBe('open')
    rr.close()
  })

  test('mutations after the provider unmounted fail with closed instead of reconnecting', async () => {
    let mutations: ReturnType<typeof useMutations> | null = null
    function Grab() {
      mutations = useMutations()
      return null
    }
    const m = await render(
      <RecordProvider url={server.url} room={freshRoom()} token={token('alice')} options={{ WebSocket: CountingWebSocket }}>
        <Grab />
      </RecordProvider>,
    )
    await m.unmount()
    await settle()
    CountingWebSocket.opened = 0
    expect(() => mutations!.create('notes', { text: 'late' })).toThrow(expect.objectContaining({ code: 'closed' }))
    expect(CountingWebSocket.opened).toBe(0)
  })

  test('hooks outside a provider say so', async () => {
    let caught: unknown = null
    class Boundary extends Component<{ children: ReactNode }, { failed: boolean }> {
      override state = { failed: false }
      static getDerivedStateFromError(): { failed: boolean } {
        return { failed: true }
      }
      override componentDidCatch(error: unknown): void {
        caught = error
      }
      override render(): ReactNode {
        return this.state.failed ? null : this.props.children
      }
    }
    function Lost() {
      useQuery('tasks')
      return null
    }
    const quiet = console.error
    console.error = () => {} // React logs the caught error; it is the expected outcome here
    try {
      const m = await render(<Boundary><Lost /></Boundary>, { strict: false })
      await m.unmount()
    } finally {
      console.error = quiet
    }
    expect(caught).toBeInstanceOf(Error)
    expect((caught as Error).message).toBe('useQuery must be used inside <RecordProvider>')
  })
})
