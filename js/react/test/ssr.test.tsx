// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { expect, test } from 'vitest'
import { RecordProvider, useConnectionState, useMe, useQuery, useRecord, useUsers, useFiles, useMutations } from '../src/index.js'
import { useYjsText } from '../src/yjs/index.js'
import { CountingWebSocket, server, token } from './helpers.js'

function Page() {
  const state = useConnectionState()
  const { status, records } = useQuery('tasks', { where: { done: false } })
  const { record } = useRecord('tasks', 't1')
  const { me } = useMe()
  const { users } = useUsers()
  const { files } = useFiles()
  useMutations()
  const [note] = useYjsText('notes/intro')
  return (
    <main>
      {state}|{status}:{records.length}|{record === null ? 'none' : 'some'}|{me === null ? 'anon' : me.id}|{users.length}|{files.length}|{note}
    </main>
  )
}

test('rendering on the server opens no socket and renders the loading state', () => {
  expect(typeof window).toBe('undefined')
  CountingWebSocket.opened = 0
  const html = renderToString(
    <RecordProvider url={server.url} room="ssr" token={token('alice')} options={{ WebSocket: CountingWebSocket }}>
      <Page />
    </RecordProvider>,
  )
  expect(html.replace(/<!-- -->/g, '')).toBe('<main>connecting|loading:0|none|anon|0|0|</main>')
  expect(CountingWebSocket.opened).toBe(0)
})
