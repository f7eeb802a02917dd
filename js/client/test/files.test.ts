import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createFiles, type Files } from '../src/files.js'
import { RecordRoomError } from '../src/errors.js'
import type { RestContext } from '../src/channel.js'
import { serverUnavailable, startServer, type TestServer } from './rest.server.js'

const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) % 256)

async function blobBytes(b: Blob): Promise<number[]> {
  return [...new Uint8Array(await b.arrayBuffer())]
}

describe('files against a real server', () => {
  const why = serverUnavailable()
  if (why !== null) {
    it.skip(`skipped: ${why}`, () => undefined)
    return
  }
  let server: TestServer
  let alice: Files
  const room = 'files-room'
  beforeAll(async () => {
    server = await startServer('files')
    alice = createFiles(server.context(room, 'alice', { widget: 'board' }))
    await alice.list() // alice is the room's first user: its admin
  })
  afterAll(async () => { await server?.stop() })

  it('uploads, lists, presigns, downloads byte-exact and removes', async () => {
    const progress: [number, number][] = []
    const meta = await alice.upload('self', 'docs/über a+b.bin', bytes, { onProgress: (l, t) => progress.push([l, t]) })
    expect(meta).toMatchObject({ path: 'docs/über a+b.bin', scope: 'self', size: 300, contentType: 'application/octet-stream', createdBy: 'alice' })
    expect(progress).toEqual([[300, 300]]) // Node has no XMLHttpRequest: one event, at the end
    expect((await alice.list({ prefix: 'docs/' })).map((f) => f.path)).toEqual(['docs/über a+b.bin'])

    const url = await alice.url('self', 'docs/über a+b.bin')
    expect(url.startsWith(`${server.url}/s3/`)).toBe(true)
    const res = await fetch(url) // no token: the signature is the authorisation
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([...bytes])
    expect(await blobBytes(await alice.download('self', 'docs/über a+b.bin'))).toEqual([...bytes])
    expect(await blobBytes(await alice.download('self', 'docs/über a+b.bin', { proxy: true }))).toEqual([...bytes])

    await alice.remove('self', 'docs/über a+b.bin')
    expect(await alice.list({ prefix: 'docs/' })).toEqual([])
    await expect(alice.url('self', 'docs/über a+b.bin')).rejects.toMatchObject({ code: 'not_found', status: 404 })
    await expect(alice.remove('self', 'docs/über a+b.bin')).rejects.toMatchObject({ code: 'not_found' })
  })

  it('keeps content types: given, a Blob\'s own, text for strings', async () => {
    expect((await alice.upload('self', 'a.json', '{"x":1}', { contentType: 'application/json' })).contentType).toBe('application/json')
    expect((await alice.upload('self', 'b.svg', new Blob(['<svg/>'], { type: 'image/svg+xml' }))).contentType).toBe('image/svg+xml')
    const text = await alice.upload('self', 'c.txt', 'héllo')
    expect([text.contentType, text.size]).toEqual(['text/plain; charset=utf-8', 6])
    expect(await (await alice.download('self', 'c.txt')).text()).toBe('héllo')
    expect((await alice.upload('self', 'd.bin', bytes.buffer)).size).toBe(300)
  })

  it('reads another widget\'s files through the widget scope, read-only', async () => {
    await alice.upload('self', 'shared/note.txt', 'from board')
    const other = createFiles(server.context(room, 'bob', { widget: 'chat' }))
    expect((await other.list({ scope: 'widget', widget: 'board', prefix: 'shared/' })).map((f) => f.path)).toEqual(['shared/note.txt'])
    expect(await (await other.download('widget', 'shared/note.txt', { widget: 'board' })).text()).toBe('from board')
    expect(await other.list({ prefix: 'shared/' })).toEqual([]) // its own widget's files: none
    await expect(other.upload('widget', 'x.txt', 'no', { widget: 'board' })).rejects.toMatchObject({ code: 'forbidden', status: 403 })
    const noWidget = await other.list({ scope: 'widget' }).catch((e: unknown) => e)
    expect(noWidget).toBeInstanceOf(RecordRoomError)
    expect(noWidget).toMatchObject({ code: 'bad_request' })
    expect((noWidget as RecordRoomError).status).toBeUndefined() // refused before any request
  })

  it('keeps user files to their user', async () => {
    await alice.upload('user', 'private/diary.txt', 'mine')
    const bob = createFiles(server.context(room, 'bob'))
    expect(await bob.list({ scope: 'user' })).toEqual([])
    await expect(bob.url('user', 'private/diary.txt')).rejects.toMatchObject({ code: 'not_found' })
    expect((await alice.list({ scope: 'user' })).map((f) => f.path)).toEqual(['private/diary.txt'])
  })

  it('refuses bad paths with the server\'s error', async () => {
    await expect(alice.upload('self', 'a//b', 'x')).rejects.toMatchObject({ code: 'bad_request', status: 400 })
    await expect(alice.upload('self', 'a\\b', 'x')).rejects.toMatchObject({ code: 'bad_request', status: 400 })
  })

  it('refuses dot segments itself: a URL would resolve them into another path', async () => {
    for (const p of ['a/../dotted', './dotted', 'dotted/.']) {
      const err = await alice.upload('self', p, 'x').catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'bad_request' })
      expect((err as RecordRoomError).status).toBeUndefined()
    }
    expect(await alice.list({ prefix: 'dotted' })).toEqual([])
  })

  it('stops at an aborted signal', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(alice.upload('self', 'never.txt', 'x', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' })
    await expect(alice.download('self', 'c.txt', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' })
    await expect(alice.url('self', 'never.txt')).rejects.toMatchObject({ code: 'not_found' })
  })
})

/** Just enough of XMLHttpRequest to watch what an upload does with it. */
class FakeXHR {
  static last: FakeXHR | null = null
  static answer = { status: 200, body: '{"path":"p.txt","scope":"self","size":5}' }
  method = ''
  url = ''
  headers: { [name: string]: string } = {}
  body: unknown = null
  status = 0
  responseText = ''
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  constructor() { FakeXHR.last = this }
  open(method: string, url: string): void { this.method = method; this.url = url }
  setRequestHeader(name: string, value: string): void { this.headers[name] = value }
  send(body: unknown): void {
    this.body = body
    queueMicrotask(() => {
      this.upload.onprogress?.({ loaded: 2, total: 5, lengthComputable: true })
      this.upload.onprogress?.({ loaded: 5, total: 5, lengthComputable: true })
      this.status = FakeXHR.answer.status
      this.responseText = FakeXHR.answer.body
      this.onload?.()
    })
  }
  abort(): void { this.onabort?.() }
}

describe('uploads with progress where XMLHttpRequest exists', () => {
  const ctx: RestContext = {
    baseUrl: 'http://h.example', room: 'r1', widget: 'w1',
    fetch: () => Promise.reject(new Error('fetch must not be used')), token: () => Promise.resolve('tok'),
  }
  afterEach(() => { vi.unstubAllGlobals() })

  it('sends through XMLHttpRequest and reports its upload events', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    FakeXHR.answer = { status: 200, body: '{"path":"a b/c.txt","scope":"self","size":5}' }
    const progress: [number, number][] = []
    const meta = await createFiles(ctx).upload('self', 'a b/c.txt', 'hello', { onProgress: (l, t) => progress.push([l, t]) })
    expect(meta).toMatchObject({ path: 'a b/c.txt', size: 5 })
    const xhr = FakeXHR.last!
    expect([xhr.method, xhr.url, xhr.body]).toEqual(['PUT', 'http://h.example/v1/rooms/r1/files/self/a%20b/c.txt', 'hello'])
    expect(xhr.headers).toMatchObject({ Authorization: 'Bearer tok', 'X-Widget-Id': 'w1', 'Content-Type': 'text/plain; charset=utf-8' })
    expect(progress).toEqual([[2, 5], [5, 5], [5, 5]])
  })

  it('rejects with the server\'s error', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    FakeXHR.answer = { status: 413, body: '{"error":{"code":"too_large","message":"over 25 MiB"}}' }
    await expect(createFiles(ctx).upload('self', 'big.bin', new Uint8Array(5), { onProgress: () => undefined }))
      .rejects.toMatchObject({ code: 'too_large', message: 'over 25 MiB', status: 413 })
  })

  it('aborts the request when the signal does', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    const ac = new AbortController()
    const p = createFiles(ctx).upload('self', 'x.bin', new Uint8Array(5), { onProgress: () => ac.abort(), signal: ac.signal })
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
  })
})
