import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { File, FileScope, RecordRoomError, UploadBody, UploadOptions } from './client.js'
import { useClient, useSlot } from './context.js'
import { asRecordRoomError } from './useConnection.js'

/** Which files useFiles lists. */
export interface FilesQuery {
  /** Default `self` (the provider's widget). */
  scope?: FileScope
  /** Only paths starting with it. */
  prefix?: string
  /** The other widget, for scope `widget`. */
  widget?: string
}

/** A file list and the calls that change it; each call refreshes the list when it is done. */
export interface FilesResult {
  readonly status: 'loading' | 'ready' | 'error'
  /** Ordered by path; kept while a refresh fails. */
  readonly files: readonly File[]
  readonly error?: RecordRoomError
  /** Stores `body` at `path` in the listed scope, then refreshes. */
  readonly upload: (path: string, body: UploadBody, options?: Omit<UploadOptions, 'widget'>) => Promise<File>
  /** Deletes the file at `path`, then refreshes. */
  readonly remove: (path: string) => Promise<void>
  /** A presigned download URL (valid for a few minutes). */
  readonly url: (path: string) => Promise<string>
  /** Lists again (files are not live: other users' uploads show after a refresh). */
  readonly refresh: () => Promise<void>
}

interface ListState {
  readonly status: FilesResult['status']
  readonly files: readonly File[]
  readonly error?: RecordRoomError
}

const LOADING_LIST: ListState = Object.freeze({ status: 'loading', files: Object.freeze([]) })

/** The files of a scope (and prefix), with upload and remove that keep the list current. */
export function useFiles(query: FilesQuery = {}): FilesResult {
  const slot = useSlot('useFiles')
  const client = useClient('useFiles')
  const { scope = 'self', prefix, widget } = query
  const [list, setList] = useState<ListState>(LOADING_LIST)
  // Answers can arrive out of order; only the latest request's answer is shown.
  const seq = useRef(0)

  const refresh = useCallback(async (): Promise<void> => {
    const n = ++seq.current
    try {
      const files = await slot.require().files.list({ scope, prefix, widget })
      if (n === seq.current) setList({ status: 'ready', files })
    } catch (err) {
      if (n === seq.current) setList((prev) => ({ status: 'error', files: prev.files, error: asRecordRoomError(err) }))
    }
  }, [slot, scope, prefix, widget])

  useEffect(() => {
    if (client === null) return
    setList(LOADING_LIST)
    void refresh()
    return () => {
      seq.current++ // an answer for the old query is dropped
    }
  }, [client, refresh])

  const upload = useCallback<FilesResult['upload']>(
    async (path, body, options) => {
      const file = await slot.require().files.upload(scope, path, body, { ...options, widget })
      await refresh()
      return file
    },
    [slot, scope, widget, refresh],
  )
  const remove = useCallback<FilesResult['remove']>(
    async (path) => {
      await slot.require().files.remove(scope, path, { widget })
      await refresh()
    },
    [slot, scope, widget, refresh],
  )
  const url = useCallback<FilesResult['url']>((path) => slot.require().files.url(scope, path, { widget }), [slot, scope, widget])

  return useMemo(() => ({ ...list, upload, remove, url, refresh }), [list, upload, remove, url, refresh])
}
