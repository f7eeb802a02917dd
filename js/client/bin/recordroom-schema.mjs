#!/usr/bin/env node
// recordroom-schema: applies a schema file to a room as its admin (docs/clients.md, "Schemas as
// code"). A .js/.mjs module's default export (or its `schema` export) is a defineSchema value; a
// .json file is the server's document itself ({"collections": …}, as GET /schema answers and
// RECORDROOM_SCHEMA takes). TypeScript schema files are compiled to .js first.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { toServerSchema } from '../dist/schema.js'
import { createRest } from '../dist/rest.js'

const usage = `usage:
  recordroom-schema push --url URL --room ROOM [--token JWT] [--widget ID] FILE
  recordroom-schema print FILE

  FILE      a .js/.mjs module exporting defineSchema(...) as default (or as \`schema\`),
            or a .json file holding the server's document {"collections": {...}}
  --url     the server's base URL (env RECORDROOM_URL)
  --room    the room (env RECORDROOM_ROOM)
  --token   a token of the room's admin (env RECORDROOM_TOKEN: keeps it out of the process list)
  --widget  the X-Widget-Id to send (default "default")
push prints the server's errors, with the path of the first problem, and exits 1 when it refuses.
print writes the document push would send.`

function options(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' }, room: { type: 'string' }, token: { type: 'string' },
      widget: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  })
  const [command, file, ...rest] = positionals
  if (values.help) return { command: 'help' }
  if (command !== 'push' && command !== 'print') throw new Error(command === undefined ? 'no command' : `unknown command ${JSON.stringify(command)}`)
  if (file === undefined || rest.length > 0) throw new Error('give exactly one schema file')
  const o = {
    command, file,
    url: values.url ?? process.env.RECORDROOM_URL,
    room: values.room ?? process.env.RECORDROOM_ROOM,
    token: values.token ?? process.env.RECORDROOM_TOKEN ?? '',
    widget: values.widget ?? 'default',
  }
  if (command === 'push' && (o.url === undefined || o.room === undefined)) throw new Error('push needs --url and --room')
  return o
}

/** The server's document for a schema file. */
async function load(file) {
  const path = resolve(file)
  if (path.endsWith('.json')) {
    const doc = JSON.parse(await readFile(path, 'utf8'))
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}: not a JSON object`)
    return doc
  }
  const mod = await import(pathToFileURL(path).href)
  const schema = mod.default ?? mod.schema
  if (typeof schema !== 'object' || schema === null) throw new Error(`${file}: no schema: export default defineSchema({ … })`)
  return toServerSchema(schema)
}

async function push(o, doc) {
  const ctx = {
    baseUrl: o.url.replace(/\/+$/, ''), room: o.room, widget: o.widget,
    fetch: globalThis.fetch, token: () => Promise.resolve(o.token),
  }
  const stored = await createRest(ctx).putSchema(doc)
  const names = Object.keys(stored.collections)
  console.log(`room ${o.room}: schema applied, ${names.length} collection${names.length === 1 ? '' : 's'}${names.length > 0 ? ': ' + names.join(', ') : ''}`)
}

function report(err) {
  if (err?.name === 'RecordRoomError') {
    const status = err.status === undefined ? '' : `${err.status} `
    console.error(`recordroom-schema: refused (${status}${err.code}): ${err.message}`)
    for (const d of err.details ?? []) console.error(`  ${d.path}: ${d.message}`)
  } else {
    console.error(`recordroom-schema: ${err?.message ?? err}`)
  }
}

async function main() {
  let o
  try {
    o = options(process.argv.slice(2))
  } catch (err) {
    console.error(`recordroom-schema: ${err.message}\n${usage}`)
    return 2
  }
  if (o.command === 'help') {
    console.log(usage)
    return 0
  }
  try {
    const doc = await load(o.file)
    if (o.command === 'print') console.log(JSON.stringify(doc, null, 2))
    else await push(o, doc)
    return 0
  } catch (err) {
    report(err)
    return 1
  }
}

process.exitCode = await main()
