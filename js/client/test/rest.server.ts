// A real RecordRoom server for integration tests: bin/recordroom (make build) on a free port,
// with a database of its own on the shared Postgres cluster (RECORDROOM_TEST_PG, default the
// development cluster at 127.0.0.1:54329). `serverUnavailable()` says why none can start, so
// tests skip with that reason instead of failing on a machine without Go or Postgres.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { RestContext } from '../src/channel.js'

const binary = resolve(import.meta.dirname, '../../../bin/recordroom')
const pgBase = process.env.RECORDROOM_TEST_PG ?? 'postgres://recordroom@127.0.0.1:54329'
const secret = 'test-secret-' + randomBytes(16).toString('hex')

/** Why no server can run here, or null when one can. */
export function serverUnavailable(): string | null {
  if (!existsSync(binary)) return `${binary} is missing: run make build`
  const ping = spawnSync('psql', [`${pgBase}/postgres?sslmode=disable`, '-Atc', 'select 1'], { encoding: 'utf8', timeout: 10_000 })
  if (ping.status !== 0) return `Postgres at ${pgBase} does not answer: ${(ping.stderr || ping.error?.message || '').trim()}`
  return null
}

export interface TestServer {
  readonly url: string
  readonly port: number
  /** A token for `sub` (HS256, an hour), with optional email and name. */
  token(sub: string, claims?: { email?: string; name?: string }): string
  /** A RestContext for a room, as the user `sub`. */
  context(room: string, sub: string, options?: { widget?: string; email?: string }): RestContext
  /** Stops the server and starts it again on the same port, data and database. */
  restart(): Promise<void>
  stop(): Promise<void>
}

/** Starts a server with a fresh database; stop() ends it and drops the database. */
export async function startServer(name: string): Promise<TestServer> {
  const db = `jsyjs_${name}_${process.pid}_${randomBytes(3).toString('hex')}`
  run('createdb', ['-h', '127.0.0.1', '-p', pgPort(), '-U', 'recordroom', db])
  const dataDir = mkdtempSync(join(tmpdir(), `rr-${name}-`))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env = {
    ...process.env,
    DATABASE_URL: `${pgBase}/${db}?sslmode=disable`,
    RECORDROOM_ADDR: `127.0.0.1:${port}`,
    RECORDROOM_DATA_DIR: dataDir,
    RECORDROOM_JWT_SECRET: secret,
    RECORDROOM_S3_PUBLIC_URL: `${url}/s3`,
    RECORDROOM_LOG_LEVEL: 'warn',
  }
  let log = ''
  const launch = async (): Promise<ChildProcess> => {
    const p = spawn(binary, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
    p.stderr?.on('data', (b: Buffer) => { log = (log + b.toString()).slice(-4000) })
    try {
      await waitReady(url, p)
    } catch (err) {
      p.kill('SIGKILL')
      throw new Error(`${String(err)}\n${log}`)
    }
    return p
  }
  const cleanup = (): void => {
    rmSync(dataDir, { recursive: true, force: true })
    spawnSync('dropdb', ['-h', '127.0.0.1', '-p', pgPort(), '-U', 'recordroom', '--force', db])
  }
  let proc: ChildProcess
  try {
    proc = await launch()
  } catch (err) {
    cleanup()
    throw err
  }
  const token = (sub: string, claims: { email?: string; name?: string } = {}): string =>
    jwt({ sub, ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })
  return {
    url,
    port,
    token,
    context(room, sub, options = {}) {
      const t = token(sub, options.email === undefined ? {} : { email: options.email })
      return { baseUrl: url, room, widget: options.widget ?? 'default', fetch: globalThis.fetch, token: () => Promise.resolve(t) }
    },
    restart: async () => {
      await stopProcess(proc)
      proc = await launch()
    },
    stop: async () => {
      await stopProcess(proc)
      cleanup()
    },
  }
}

function pgPort(): string {
  return new URL(pgBase).port || '5432'
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`)
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0
      s.close(() => resolvePort(port))
    })
  })
}

async function waitReady(url: string, proc: ChildProcess): Promise<void> {
  const deadline = Date.now() + 45_000
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the server exited with ${proc.exitCode}`)
    try {
      if ((await fetch(`${url}/readyz`)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error('the server did not become ready within 45 s')
}

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return Promise.resolve()
  return new Promise((done) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5000)
    proc.once('exit', () => { clearTimeout(kill); done() })
    proc.kill('SIGTERM')
  })
}

function jwt(claims: object): string {
  const b64 = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
}
