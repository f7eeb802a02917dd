// Against a real server: bin/recordroom (make build) on a free port, with a database of its own
// created on the shared Postgres (RECORDROOM_TEST_PG, default the project's cluster). Skipped,
// with the reason printed, when either is missing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type RecordRoom } from '../src/client.js'
import type { LiveQuery, QueryResult } from '../src/livequery.js'
import type { RecordPage } from '../src/wire.js'
import { jwt } from './helpers.js'

const BIN = fileURLToPath(new URL('../../../bin/recordroom', import.meta.url))
const PG = new URL(process.env.RECORDROOM_TEST_PG ?? 'postgres://recordroom@127.0.0.1:54329/recordroom?sslmode=disable')
const SECRET = 'integration-secret-at-least-32-bytes-long'
const DB = `jsclient_it_${process.pid}_${Date.now()}`

function unavailable(): string | null {
  if (!existsSync(BIN)) return `${BIN} is missing (run make build)`
  try {
    execFileSync('createdb', ['-h', PG.hostname, '-p', PG.port, '-U', PG.username, DB], { stdio: 'pipe', timeout: 10_000 })
    return null
  } catch (e) {
    return `cannot create a database on ${PG.host}: ${String(e).split('\n')[0]}`
  }
}

const skipReason = unavailable()
if (skipReason !== null) console.warn(`integration tests skipped: ${skipReason}`)

describe.skipIf(skipReason !== null)('against a real server', () => {
  let server: ChildProcess
  let base = ''
  let dataDir = ''
  const clients: RecordRoom[] = []
  const token = (sub: string) => jwt({ sub, exp: Math.floor(Date.now() / 1000) + 3600 }, SECRET)
  const open = (sub: string) => {
    const rr = connect({ url: base, room: 'it1', token: async () => token(sub), WebSocket, onError: () => {} })
    clients.push(rr)
    return rr
  }
  const rest = async (method: string, path: string, sub: string, body?: unknown) => {
    const res = await fetch(`${base}/v1/rooms/it1${path}`, {
      method,
      headers: { authorization: `Bearer ${token(sub)}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res.status === 204 ? null : ((await res.json()) as unknown)
  }

  beforeAll(async () => {
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    dataDir = mkdtempSync(join(tmpdir(), 'jsclient-it-'))
    const db = new URL(PG)
    db.pathname = `/${DB}`
    server = spawn(BIN, ['serve'], {
      env: { ...process.env, DATABASE_URL: db.toString(), RECORDROOM_ADDR: `127.0.0.1:${port}`, RECORDROOM_DATA_DIR: dataDir, RECORDROOM_JWT_SECRET: SECRET, RECORDROOM_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    await waitReady(`${base}/readyz`, 45_000)
    // alice accesses the room first and so is its admin; she sets a schema for one collection.
    await rest('PUT', '/schema', 'alice', {
      collections: {
        strict: { fields: { title: { type: 'string', required: true, maxLength: 20 } }, additionalFields: false },
        tasks: {},
      },
    })
  })

  afterAll(async () => {
    for (const rr of clients) rr.close()
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve))
      server.kill('SIGTERM')
      await exited
    }
    execFileSync('dropdb', ['-h', PG.hostname, '-p', PG.port, '-U', PG.username, '--if-exists', DB], { stdio: 'pipe' })
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true })
  })

  it('shows creates of another connection live, in the order of a REST list with the same query', async () => {
    const rr = open('alice')
    const orderBy = [{ field: 'title' }]
    const q = rr.subscribe('tasks', { orderBy })
    q.listen(() => {})
    await until(q, (r) => r.status === 'ready')

    // Types and strings whose order JavaScript's < gets wrong (astral vs U+FFFD), created by
    // another user, so every one arrives as a change the store inserts by its own comparator.
    const titles = ['b', '😀', '\uFFFD', 'a', 10, -2.5, null, true, false, ['x'], { o: 1 }, 'B', 'é', '']
    const bob = open('bob')
    for (const [i, title] of titles.entries()) await bob.createConfirmed('tasks', { title, i })
    await bob.createConfirmed('tasks', { untitled: true })
    await until(q, (r) => r.records.length === titles.length + 1)

    const page = (await rest('GET', `/collections/tasks/records?orderBy=${encodeURIComponent(JSON.stringify(orderBy))}`, 'alice')) as RecordPage
    expect(q.current.records.map((r) => r.id)).toEqual(page.records.map((r) => r.id))
    expect(q.current.records).toEqual(page.records)
  })

  it('a fresh subscription of the same query starts from a snapshot in that same order', async () => {
    const rr = open('carol')
    const q = rr.subscribe('tasks', { orderBy: [{ field: 'title', dir: 'desc' }], limit: 5 })
    q.listen(() => {})
    await until(q, (r) => r.status === 'ready')
    const query = `orderBy=${encodeURIComponent(JSON.stringify([{ field: 'title', dir: 'desc' }]))}&limit=5`
    const page = (await rest('GET', `/collections/tasks/records?${query}`, 'carol')) as RecordPage
    expect(q.current.records.map((r) => r.id)).toEqual(page.records.map((r) => r.id))
  })

  it('a confirmed create that violates the schema rejects with invalid and the field path', async () => {
    const rr = open('alice')
    const err = await rr.createConfirmed('strict', { title: 5 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'RecordRoomError', code: 'invalid' })
    const details = (err as { details?: { path: string }[] }).details ?? []
    expect(details.map((d) => d.path).join(' ')).toContain('title')
    const ok = await rr.createConfirmed('strict', { title: 'fine' })
    expect(ok).toMatchObject({ collection: 'strict', userId: 'alice', version: 1, data: { title: 'fine' } })
  })

  it('confirmed put and remove resolve, and a fire-and-forget error reaches onError', async () => {
    const errors: string[] = []
    const rr = connect({ url: base, room: 'it1', token: token('alice'), WebSocket, onError: (e) => errors.push(e.code) })
    clients.push(rr)
    const id = rr.create('tasks', { n: 1 })
    const put = await rr.putConfirmed('tasks', id, { m: 2 })
    expect(put).toMatchObject({ id, version: 2, data: { n: 1, m: 2 } })
    await rr.removeConfirmed('tasks', id)
    rr.put('strict', 'x', { title: 'far too long for the twenty character limit' })
    await rr.createConfirmed('tasks', {}) // its ack comes after the put's error
    expect(errors).toEqual(['invalid'])
  })
})

function until<T>(q: LiveQuery<T>, pred: (r: QueryResult<T>) => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred(q.current)) return resolve()
    const timer = setTimeout(() => {
      stop()
      reject(new Error(`timed out; last result: ${JSON.stringify(q.current)}`))
    }, timeoutMs)
    const stop = q.listen((r) => {
      if (!pred(r)) return
      clearTimeout(timer)
      stop()
      resolve()
    })
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      s.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${url} not ready within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
