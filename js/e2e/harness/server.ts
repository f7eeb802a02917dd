import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freshDatabase, type TestDatabase } from './db.js'
import { mintToken, type Claims } from './tokens.js'

/** The repository's root (js/e2e/harness is three levels down). A function: under jsdom, import.meta.url is not a file URL. */
export function repoRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url))
}

/** The server binary `make build` makes; RECORDROOM_BIN overrides. */
export function serverBinary(): string {
  return process.env.RECORDROOM_BIN ?? join(repoRoot(), 'bin', 'recordroom')
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => (addr !== null && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

export interface ServerOptions {
  /** Extra environment, e.g. RECORDROOM_CORS_ORIGINS. */
  env?: { [name: string]: string }
}

/** A real server process on its own database, data folder and port. */
export class TestServer {
  readonly secret = randomBytes(24).toString('hex')
  private proc: ChildProcess | null = null
  private log = ''

  private constructor(
    readonly port: number,
    private readonly db: TestDatabase,
    private readonly dataDir: string,
    private env: { [name: string]: string },
  ) {}

  /** A fresh database and data folder, and the server started on a free port. */
  static async start(options: ServerOptions = {}): Promise<TestServer> {
    if (!existsSync(serverBinary())) throw new Error(`${serverBinary()} is missing: run make build first`)
    const [db, dataDir, port] = await Promise.all([freshDatabase(), mkdtemp(join(tmpdir(), 'rr-e2e-')), freePort()])
    const s = new TestServer(port, db, dataDir, options.env ?? {})
    await s.start()
    return s
  }

  /** http://127.0.0.1:port */
  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** A token this server accepts. */
  token(claims: Claims | string): string {
    return mintToken(this.secret, typeof claims === 'string' ? { sub: claims } : claims)
  }

  /** Starts the process (again, on the same port and database) and waits until /readyz answers. */
  async start(env?: { [name: string]: string }): Promise<void> {
    if (this.proc !== null) throw new Error('the server is running')
    if (env !== undefined) this.env = env
    const proc = spawn(serverBinary(), ['serve'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        DATABASE_URL: this.db.url,
        RECORDROOM_ADDR: `127.0.0.1:${this.port}`,
        RECORDROOM_DATA_DIR: this.dataDir,
        RECORDROOM_JWT_SECRET: this.secret,
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.proc = proc
    const keep = (b: Buffer) => {
      this.log = (this.log + b.toString()).slice(-20_000)
    }
    proc.stdout?.on('data', keep)
    proc.stderr?.on('data', keep)
    await this.waitReady(proc)
  }

  /** Stops the process gracefully (SIGTERM: sockets close with 1012) and waits for its exit. */
  async stop(): Promise<void> {
    const proc = this.proc
    if (proc === null) return
    this.proc = null
    if (proc.exitCode !== null) return
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    proc.kill('SIGTERM')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }

  /** Stops the server and removes its database and data folder. */
  async close(): Promise<void> {
    await this.stop()
    await this.db.drop()
    await rm(this.dataDir, { recursive: true, force: true })
  }

  /** The server's recent output, for failure messages. */
  output(): string {
    return this.log
  }

  private async waitReady(proc: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`the server exited (${proc.exitCode}):\n${this.log}`)
      try {
        const res = await fetch(`${this.url}/readyz`)
        if (res.ok) return
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`the server was not ready within 60 s:\n${this.log}`)
  }
}
