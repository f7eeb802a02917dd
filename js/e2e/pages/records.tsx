// A live list of one collection's records, with the mutation calls exposed to the test.
import { StrictMode, useEffect } from 'react'
import { createRoot } from 'react-dom/client'
import { RecordRoomError, type JsonObject } from '@recordroom/client'
import { RecordProvider, useConnectionState, useMutations, useQuery } from '@recordroom/react'
import { optionalParam, param } from './params.js'

const collection = optionalParam('collection') ?? 'tasks'

function Records() {
  const state = useConnectionState()
  const { status, records } = useQuery<{ title?: string }>(collection, { orderBy: [{ field: 'createdAt' }] })
  const m = useMutations()
  useEffect(() => {
    window.e2e = {
      create: (data: JsonObject) => m.create(collection, data),
      put: (id: string, data: JsonObject) => m.put(collection, id, data),
      remove: (id: string) => m.remove(collection, id),
      // A confirmed call's outcome as plain data: the error's code and field paths, or the record.
      createConfirmed: (data: JsonObject) =>
        m.createConfirmed(collection, data).then(
          (rec) => ({ ok: true, id: rec.id }),
          (e: unknown) => (e instanceof RecordRoomError ? { ok: false, code: e.code, details: e.details ?? [] } : { ok: false, code: String(e) }),
        ),
    }
  }, [m])
  return (
    <main>
      <p id="state">{state}</p>
      <p id="status">{status}</p>
      <ul id="records">
        {records.map((r) => (
          <li key={r.id} data-id={r.id}>
            {r.data.title ?? ''}
          </li>
        ))}
      </ul>
    </main>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RecordProvider url={param('url')} room={param('room')} token={param('token')}>
      <Records />
    </RecordProvider>
  </StrictMode>,
)
