/**
 * Files (PROTOCOL.md §7, docs/files.md): upload with progress, list, remove, presigned URLs and
 * downloads, for the scopes `self` (the calling widget's), `user` (the caller's own) and
 * `widget` (another widget's, read-only).
 */
import type { RestContext } from './channel.js'
import { RecordRoomError } from './errors.js'
import { authHeaders, errorFromBody, networkError, roomUrl, send, sendJson, sendVoid, type QueryParams } from './rest.js'
import type { File, FileList, FileScope, FileURL } from './wire.js'

/** What an upload stores: the bytes of a Blob or buffer, or a string as UTF-8. */
export type UploadBody = Blob | ArrayBuffer | Uint8Array | string

/** Names the other widget of the `widget` scope (`?widget=`); required there, ignored elsewhere. */
export interface FileTarget {
  readonly widget?: string
}

export interface UploadOptions extends FileTarget {
  /** Default: a Blob's own type, text/plain for strings, else application/octet-stream. */
  readonly contentType?: string
  /**
   * Progress in bytes. In browsers (XMLHttpRequest) it fires as the body is sent; where there is
   * no XMLHttpRequest (Node) it fires once, when the upload is complete.
   */
  readonly onProgress?: (loaded: number, total: number) => void
  readonly signal?: AbortSignal
}

export interface ListOptions extends FileTarget {
  /** Default `self`. */
  readonly scope?: FileScope
  /** Only paths starting with it, matched byte for byte. */
  readonly prefix?: string
}

export interface DownloadOptions extends FileTarget {
  /** Fetch the bytes through the RecordRoom server (`?proxy=true`) instead of the presigned URL. */
  readonly proxy?: boolean
  readonly signal?: AbortSignal
}

/** The file calls of a room. Every call rejects with a RecordRoomError (or the signal's reason). */
export interface Files {
  /** Stores `body` at `path` (creating or replacing the file) and answers its metadata. */
  upload(scope: FileScope, path: string, body: UploadBody, options?: UploadOptions): Promise<File>
  /** The metadata of a scope's files, ordered by path. */
  list(options?: ListOptions): Promise<File[]>
  remove(scope: FileScope, path: string, options?: FileTarget): Promise<void>
  /** A presigned download URL, usable without a token for a few minutes (RECORDROOM_PRESIGN_TTL). */
  url(scope: FileScope, path: string, options?: FileTarget): Promise<string>
  /** The file's content. */
  download(scope: FileScope, path: string, options?: DownloadOptions): Promise<Blob>
}

/** The file calls of the room `ctx` names. */
export function createFiles(ctx: RestContext): Files {
  return {
    upload: (scope, path, body, options = {}) => upload(ctx, scope, path, body, options),
    list: (options = {}) => {
      const scope = options.scope ?? 'self'
      return withTarget(scope, options, async (query) => {
        const list = await sendJson<FileList>(ctx, { method: 'GET', segments: ['files'], query: { scope, prefix: options.prefix, ...query } })
        return list.files
      })
    },
    remove: (scope, path, options = {}) =>
      withTarget(scope, options, (query) => sendVoid(ctx, { method: 'DELETE', segments: fileSegments(scope, path), query })),
    url: (scope, path, options = {}) => presign(ctx, scope, path, options),
    download: (scope, path, options = {}) => download(ctx, scope, path, options),
  }
}

/** The route segments of a file: each segment of its path escaped on its own, slashes kept. */
function fileSegments(scope: FileScope, path: string): string[] {
  return ['files', scope, ...path.split('/')]
}

/** Runs a call with the `widget` scope's ?widget=, refusing that scope without one. */
async function withTarget<T>(scope: FileScope, target: FileTarget, call: (query: QueryParams) => Promise<T>): Promise<T> {
  if (scope !== 'widget') return call({})
  if (target.widget === undefined || target.widget === '') {
    throw new RecordRoomError('bad_request', "the 'widget' scope needs the other widget's id: { widget: '<id>' }")
  }
  return call({ widget: target.widget })
}

function presign(ctx: RestContext, scope: FileScope, path: string, target: FileTarget): Promise<string> {
  return withTarget(scope, target, async (query) => {
    const u = await sendJson<FileURL>(ctx, { method: 'GET', segments: fileSegments(scope, path), query: { ...query, redirect: 'false' } })
    return u.url
  })
}

async function download(ctx: RestContext, scope: FileScope, path: string, options: DownloadOptions): Promise<Blob> {
  if (options.proxy === true) {
    return withTarget(scope, options, async (query) => {
      const req = { method: 'GET' as const, segments: fileSegments(scope, path), query: { ...query, proxy: 'true' } }
      return (await send(ctx, options.signal === undefined ? req : { ...req, signal: options.signal })).blob()
    })
  }
  const url = await presign(ctx, scope, path, options)
  // No token: the signature is the authorisation, and a bearer token must not travel to the
  // storage host.
  let res: Response
  try {
    res = await ctx.fetch(url, options.signal === undefined ? {} : { signal: options.signal })
  } catch (err) {
    throw options.signal?.aborted === true ? options.signal.reason : networkError(err)
  }
  if (!res.ok) throw errorFromBody(res.status, await res.text())
  return res.blob()
}

function upload(ctx: RestContext, scope: FileScope, path: string, body: UploadBody, options: UploadOptions): Promise<File> {
  return withTarget(scope, options, async (query) => {
    const url = roomUrl(ctx, fileSegments(scope, path), query)
    const contentType = options.contentType ?? defaultContentType(body)
    const bytes = toBodyInit(body)
    const total = byteLength(body)
    const headers = { ...(await authHeaders(ctx)), 'Content-Type': contentType }
    if (options.onProgress !== undefined && typeof XMLHttpRequest !== 'undefined') {
      return xhrUpload(url, headers, bytes, total, options.onProgress, options.signal)
    }
    const file = await sendJson<File>(ctx, {
      method: 'PUT', segments: fileSegments(scope, path), query, body: bytes, contentType,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    options.onProgress?.(total, total)
    return file
  })
}

function defaultContentType(body: UploadBody): string {
  if (typeof body === 'string') return 'text/plain; charset=utf-8'
  if (body instanceof Blob && body.type !== '') return body.type
  return 'application/octet-stream'
}

function byteLength(body: UploadBody): number {
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength
  if (body instanceof Blob) return body.size
  return body.byteLength
}

/** The body as fetch and XMLHttpRequest take it (a view on a shared buffer is copied). */
function toBodyInit(body: UploadBody): Blob | ArrayBuffer | Uint8Array<ArrayBuffer> | string {
  if (body instanceof Uint8Array) return body.buffer instanceof ArrayBuffer ? (body as Uint8Array<ArrayBuffer>) : new Uint8Array(body)
  return body
}

/** A PUT through XMLHttpRequest, whose upload events are the only way to see a body's progress. */
function xhrUpload(url: string, headers: { [name: string]: string }, body: XMLHttpRequestBodyInit, total: number,
  onProgress: (loaded: number, total: number) => void, signal: AbortSignal | undefined): Promise<File> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason)
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', url)
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value)
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : total)
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) return reject(errorFromBody(xhr.status, xhr.responseText))
      onProgress(total, total)
      try {
        resolve(JSON.parse(xhr.responseText) as File)
      } catch (err) {
        reject(new RecordRoomError('internal', 'the upload\'s answer is not JSON', { cause: err, status: xhr.status }))
      }
    }
    xhr.onerror = () => reject(networkError(new Error(`PUT ${url} failed`)))
    xhr.onabort = () => reject(signal?.reason ?? new RecordRoomError('closed', 'the upload was aborted'))
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(body)
  })
}
