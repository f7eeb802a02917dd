// The widget inside the canvas: it has no token of its own and asks its parent frame for one.
import { StrictMode, useMemo } from 'react'
import { createRoot } from 'react-dom/client'
import { parentFrameToken } from '@recordroom/client'
import { RecordProvider, useConnectionState, useQuery, useRecordRoom } from '@recordroom/react'
import { param } from './params.js'

function Widget() {
  const state = useConnectionState()
  const rr = useRecordRoom()
  const { records } = useQuery<{ title: string }>('tasks')
  return (
    <main>
      <p id="state">{state}</p>
      <p id="user">{state === 'open' ? rr?.hello?.user.id : ''}</p>
      <ul id="records">{records.map((r) => <li key={r.id}>{r.data.title}</li>)}</ul>
    </main>
  )
}

function App() {
  // One token source for the page's life: it keeps the parent's answers.
  const token = useMemo(() => parentFrameToken({ parentOrigin: param('parentOrigin') }), [])
  return (
    <RecordProvider url={param('url')} room={param('room')} token={token}>
      <Widget />
    </RecordProvider>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
