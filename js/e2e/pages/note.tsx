// A textarea bound to one shared Y.Text (useYjsText).
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { RecordProvider } from '@recordroom/react'
import { useYjsDoc, useYjsText } from '@recordroom/react/yjs'
import { param } from './params.js'

const doc = param('doc')

function Note() {
  const [value, text, setValue] = useYjsText(doc)
  const { synced } = useYjsDoc(doc)
  return (
    <main>
      <p id="synced">{synced ? 'synced' : 'syncing'}</p>
      <textarea id="note" disabled={text === null} value={value} onChange={(e) => setValue(e.target.value)} />
    </main>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RecordProvider url={param('url')} room={param('room')} token={param('token')}>
      <Note />
    </RecordProvider>
  </StrictMode>,
)
