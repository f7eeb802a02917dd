import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RecordRoomError } from '../src/errors.js'
import { createRest } from '../src/rest.js'
import { defineSchema, pushSchema } from '../src/schema.js'
import { serverUnavailable, startServer, type TestServer } from './rest.server.js'

const pkg = resolve(import.meta.dirname, '..')
const cli = join(pkg, 'bin/recordroom-schema.mjs')
const run = promisify(execFile)

/** Runs the CLI; resolves with its exit code and output whatever the code. */
async function schemaCli(args: string[], env: { [k: string]: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [cli, ...args], { env: { ...process.env, ...env } })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const tasks = defineSchema({
  tasks: {
    fields: { title: { type: 'string', required: true, maxLength: 20 }, done: { type: 'boolean' } },
    additionalFields: false,
  },
  notes: { access: { read: 'owner', write: 'owner' } },
})

describe('pushing schemas to a real server', () => {
  const why = serverUnavailable()
  if (why !== null) {
    it.skip(`skipped: ${why}`, () => undefined)
    return
  }
  let server: TestServer
  let dir: string
  beforeAll(async () => {
    // The CLI runs the built package, as `npx recordroom-schema` would.
    execFileSync(process.execPath, [join(pkg, '../node_modules/typescript/bin/tsc'), '-p', join(pkg, 'tsconfig.build.json')])
    dir = mkdtempSync(join(tmpdir(), 'rr-schema-'))
    server = await startServer('schema')
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('applies a schema as the admin, which the server then enforces', async () => {
    const ctx = server.context('schema-push', 'alice')
    const stored = await pushSchema(ctx, tasks)
    expect(Object.keys(stored.collections)).toEqual(['tasks', 'notes'])
    const rest = createRest(ctx)
    expect(await rest.getSchema()).toEqual(stored)
    const bad = await fetch(`${server.url}/v1/rooms/schema-push/collections/tasks/records`, {
      method: 'POST', headers: { Authorization: `Bearer ${server.token('alice')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { title: 'x'.repeat(21), colour: 'red' } }),
    })
    expect(bad.status).toBe(422)
  })

  it('rejects with the server\'s error and its path', async () => {
    const ctx = server.context('schema-bad', 'alice')
    const typo = { t: { fields: { title: { type: 'string', maxLenght: 3 } } } } as unknown as Parameters<typeof pushSchema>[1]
    const err = await pushSchema(ctx, typo).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RecordRoomError)
    expect(err).toMatchObject({ code: 'bad_request', status: 400 })
    expect((err as RecordRoomError).message).toContain('collections.t.fields.title.maxLenght')
    await createRest(server.context('schema-bad', 'bob')).me()
    await expect(pushSchema(server.context('schema-bad', 'bob'), tasks)).rejects.toMatchObject({ code: 'forbidden', status: 403 })
  })

  it('pushes a module\'s default export and a JSON document from the CLI', async () => {
    const mod = join(dir, 'schema.mjs')
    writeFileSync(mod, `import { defineSchema } from ${JSON.stringify(join(pkg, 'dist/schema.js'))}
export default defineSchema({ tasks: { fields: { title: { type: 'string', required: true } } } })\n`)
    const env = { RECORDROOM_TOKEN: server.token('alice') }
    const ok = await schemaCli(['push', '--url', server.url, '--room', 'schema-cli', mod], env)
    expect(ok).toMatchObject({ code: 0, stderr: '' })
    expect(ok.stdout).toContain('room schema-cli: schema applied, 1 collection: tasks')
    const ctx = server.context('schema-cli', 'alice')
    expect(await createRest(ctx).getSchema()).toEqual({ collections: { tasks: { fields: { title: { type: 'string', required: true } } } } })

    const json = join(dir, 'schema.json')
    writeFileSync(json, JSON.stringify({ collections: { a: {}, b: { access: { read: 'viewer' } } } }))
    const viaJson = await schemaCli(['push', '--url', server.url, '--room', 'schema-cli', '--token', server.token('alice'), json])
    expect(viaJson.code).toBe(0)
    expect(viaJson.stdout).toContain('2 collections: a, b')
  })

  it('prints the server\'s error with its path and exits 1', async () => {
    const json = join(dir, 'bad.json')
    writeFileSync(json, JSON.stringify({ collections: { tasks: { access: { write: 'viewer' } } } }))
    const r = await schemaCli(['push', '--url', server.url, '--room', 'schema-cli-bad', json], { RECORDROOM_TOKEN: server.token('alice') })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('refused (400 bad_request)')
    expect(r.stderr).toContain('collections.tasks.access.write')
  })

  it('prints the document, and refuses bad usage with exit 2', async () => {
    const mod = join(dir, 'print.mjs')
    writeFileSync(mod, 'export const schema = { notes: { access: { read: "owner" } } }\n')
    const r = await schemaCli(['print', mod])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ collections: { notes: { access: { read: 'owner' } } } })
    expect((await schemaCli(['push', mod])).code).toBe(2) // no --url, --room
    expect((await schemaCli(['pull', mod])).code).toBe(2)
    expect((await schemaCli(['push', '--bogus', mod])).code).toBe(2)
    expect((await schemaCli(['print', join(dir, 'missing.mjs')])).code).toBe(1)
  })
})
