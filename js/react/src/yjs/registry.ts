import type { BinaryChannel, RecordRoomError } from '@recordroom/client'
import { openDoc, type DocProvider } from '@recordroom/client/yjs'

/** A document held open on one connection, and who is watching its errors. */
interface Entry {
  readonly provider: DocProvider
  readonly errors: Errors
  holders: number
  destroyTimer: ReturnType<typeof setTimeout> | null
}

/** The server's last refusal of a message about the document (a viewer's edit, say). */
interface Errors {
  last: RecordRoomError | null
  readonly listeners: Set<() => void>
}

/** What a hook holds: the shared provider, its last error, and the way to let go. */
export interface DocHold {
  readonly provider: DocProvider
  error(): RecordRoomError | null
  onError(listener: () => void): () => void
  release(): void
}

// The server relays an update to every socket of a document except its sender, so two
// providers of one name on one connection would never see each other's edits: every hook
// of a document on a connection shares one provider.
const open = new WeakMap<BinaryChannel, Map<string, Entry>>()

/**
 * Holds the document `name` on `channel`, opening it if no one holds it. The last release
 * destroys it one task later unless it is held again meanwhile (StrictMode's remount).
 */
export function holdDoc(channel: BinaryChannel, name: string): DocHold {
  let docs = open.get(channel)
  if (docs === undefined) {
    docs = new Map()
    open.set(channel, docs)
  }
  const entry = docs.get(name) ?? openEntry(channel, name, docs)
  entry.holders++
  if (entry.destroyTimer !== null) {
    clearTimeout(entry.destroyTimer)
    entry.destroyTimer = null
  }
  let released = false
  return {
    provider: entry.provider,
    error: () => entry.errors.last,
    onError: (listener) => {
      entry.errors.listeners.add(listener)
      return () => entry.errors.listeners.delete(listener)
    },
    release: () => {
      if (released) return
      released = true
      entry.holders--
      if (entry.holders === 0) entry.destroyTimer = setTimeout(() => closeEntry(docs, name, entry), 0)
    },
  }
}

function openEntry(channel: BinaryChannel, name: string, docs: Map<string, Entry>): Entry {
  const errors: Errors = { last: null, listeners: new Set() }
  const provider = openDoc(channel, name, {
    onError: (err) => {
      errors.last = err
      for (const l of [...errors.listeners]) l()
    },
  })
  // A failed first sync also arrives through onError; this keeps it from being unhandled.
  provider.whenSynced.catch(() => {})
  const entry: Entry = { provider, errors, holders: 0, destroyTimer: null }
  docs.set(name, entry)
  return entry
}

function closeEntry(docs: Map<string, Entry>, name: string, entry: Entry): void {
  entry.destroyTimer = null
  if (entry.holders > 0) return
  docs.delete(name)
  entry.provider.destroy()
  entry.provider.doc.destroy()
}
