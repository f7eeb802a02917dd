/**
 * `@recordroom/react/yjs`: collaborative text on the room's socket. A separate entry point so
 * that applications without collaborative documents need not install yjs.
 */
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import type { RecordRoomError } from '@recordroom/client'
import { fieldDocName, type DocProvider } from '@recordroom/client/yjs'
import { useClient } from '../context.js'
import { holdDoc, type DocHold } from './registry.js'
import { applyText, textStore } from './text.js'

/** An open collaborative document, as hooks see it. */
export interface DocState {
  /** null until the provider's client is connected (and on the server). */
  readonly provider: DocProvider | null
  /** True once the server's state is applied, until the connection drops. */
  readonly synced: boolean
  /** The server's last refusal about this document (a viewer's edit, a removed record). */
  readonly error: RecordRoomError | null
}

/**
 * Holds the document `name` open while mounted. Every hook of one document on one connection
 * shares a provider (the server does not echo a socket's own updates).
 */
export function useYjsDoc(name: string): DocState {
  const client = useClient('useYjsDoc')
  const [hold, setHold] = useState<DocHold | null>(null)
  useEffect(() => {
    if (client === null) return
    const h = holdDoc(client, name)
    setHold(h)
    return () => {
      h.release()
      setHold(null)
    }
  }, [client, name])
  const synced = useSyncExternalStore(
    useCallback((onChange: () => void) => (hold === null ? noop : hold.provider.onSynced(onChange)), [hold]),
    () => hold?.provider.synced ?? false,
    notSynced,
  )
  const error = useSyncExternalStore(
    useCallback((onChange: () => void) => (hold === null ? noop : hold.onError(onChange)), [hold]),
    () => hold?.error() ?? null,
    noError,
  )
  const provider = hold?.provider ?? null
  return useMemo(() => ({ provider, synced, error }), [provider, synced, error])
}

/**
 * A shared text: its current string, the Y.Text (null until connected) for rich bindings, and
 * a setter that turns a whole new value (a textarea's) into the smallest edit. `textName` is
 * the Y.Text's name in the document; default `text`.
 */
export function useYjsText(docName: string, textName = 'text'): [value: string, text: Y.Text | null, setValue: (next: string) => void] {
  const { provider } = useYjsDoc(docName)
  const text = provider === null ? null : provider.doc.getText(textName)
  const store = text === null ? null : textStore(text)
  const value = useSyncExternalStore(store?.subscribe ?? subscribeNever, store?.get ?? emptyString, emptyString)
  const setValue = useCallback((next: string) => {
    if (text !== null) applyText(text, next)
  }, [text])
  return [value, text, setValue]
}

/** The shared text of a record's field: the field document `collection/id/field` (its record's access rules). */
export function useYjsField(
  collection: string,
  id: string,
  field: string,
  textName = 'text',
): [value: string, text: Y.Text | null, setValue: (next: string) => void] {
  return useYjsText(fieldDocName(collection, id, field), textName)
}

function noop(): void {}
const subscribeNever = (): (() => void) => noop
const emptyString = (): string => ''
const notSynced = (): boolean => false
const noError = (): null => null
