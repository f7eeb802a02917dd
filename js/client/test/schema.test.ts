import { describe, expect, expectTypeOf, it } from 'vitest'
import type { RecordRoom } from '../src/client.js'
import type { LiveQuery } from '../src/livequery.js'
import { defineSchema, toServerSchema, type RecordOf, type SchemaTypes } from '../src/schema.js'
import type { Json, JsonObject, Record as RoomRecord } from '../src/wire.js'

const schema = defineSchema({
  tasks: {
    fields: {
      title: { type: 'string', required: true, maxLength: 200 },
      status: { type: 'string', enum: ['active', 'done'] },
      priority: { type: 'integer', minimum: 0 },
      score: { type: ['number', 'null'] },
      tags: { type: 'array', items: { type: 'string' } },
      meta: { type: 'object' },
      owner: { type: 'object', properties: { id: { type: 'string' }, since: { type: 'number' } }, required: ['id'] },
      done: { type: 'boolean' },
      kind: { const: 'task' },
      anything: {},
    },
    additionalFields: false,
    access: { read: 'member', write: 'member' },
  },
  notes: { access: { read: 'owner', write: 'owner' } },
})

type Task = RecordOf<typeof schema, 'tasks'>

describe('defineSchema types', () => {
  it('derives record data from field specs', () => {
    expectTypeOf<Task>().toEqualTypeOf<{
      title: string
      status?: 'active' | 'done'
      priority?: number
      score?: number | null
      tags?: string[]
      meta?: JsonObject
      owner?: { id: string; since?: number }
      done?: boolean
      kind?: 'task'
      anything?: Json
    }>()
    expectTypeOf<RecordOf<typeof schema, 'notes'>>().toEqualTypeOf<JsonObject>()
    expectTypeOf<SchemaTypes<typeof schema>['tasks']>().toEqualTypeOf<Task>()
  })

  it('gives types that fit a Record', () => {
    const t: Task = { title: 'x', status: 'done' }
    const r: RoomRecord<Task> = { id: 't1', collection: 'tasks', userId: 'u', data: t, version: 1, createdAt: '', updatedAt: '' }
    expect(r.data.title).toBe('x')
    // @ts-expect-error a required field is missing
    const missing: Task = { status: 'done' }
    // @ts-expect-error a value outside the enum
    const wrongEnum: Task = { title: 'x', status: 'paused' }
    // @ts-expect-error a field the schema does not declare
    const extra: Task = { title: 'x', colour: 'red' }
    // @ts-expect-error an unknown collection
    type Unknown = RecordOf<typeof schema, 'nope'>
    void [missing, wrongEnum, extra]
    expectTypeOf<Unknown>().not.toBeNever()
  })

  it('refuses specs the server would refuse, at compile time', () => {
    // @ts-expect-error an unknown access level
    defineSchema({ t: { access: { read: 'everyone' } } })
    // @ts-expect-error viewers never write
    defineSchema({ t: { access: { write: 'viewer' } } })
    // @ts-expect-error not a JSON Schema type name
    defineSchema({ t: { fields: { a: { type: 'text' } } } })
  })
})

describe('a client typed by the schema', () => {
  // Only types are checked here (tsc --noEmit runs before vitest): no socket is opened.
  const typed = (rr: RecordRoom<SchemaTypes<typeof schema>>, untyped: RecordRoom) => {
    expectTypeOf(rr.subscribe('tasks')).toEqualTypeOf<LiveQuery<RoomRecord<Task>>>()
    rr.create('tasks', { title: 'x', done: false })
    rr.put('tasks', 't1', { done: true })
    expectTypeOf(rr.createConfirmed('tasks', { title: 'x' })).resolves.toEqualTypeOf<RoomRecord<Task>>()
    // @ts-expect-error an unknown collection
    rr.subscribe('nope')
    // @ts-expect-error a required field is missing
    rr.create('tasks', { done: true })
    // @ts-expect-error a field of the wrong type
    rr.put('tasks', 't1', { done: 'yes' })
    expectTypeOf(rr.subscribe('$users').current.records[0]?.data.role).toEqualTypeOf<'admin' | 'member' | 'viewer' | undefined>()

    // Untyped: any collection of JSON objects, or the caller's own statement of the data.
    expectTypeOf(untyped.subscribe('anything')).toEqualTypeOf<LiveQuery<RoomRecord<JsonObject>>>()
    expectTypeOf(untyped.subscribe<Task>('tasks')).toEqualTypeOf<LiveQuery<RoomRecord<Task>>>()
    interface Note { text: string }
    const note: Note = { text: 'an interface, not a JSON index type' }
    untyped.create('notes', note)
  }
  it('types collection names, writes and results', () => {
    expect(typeof typed).toBe('function')
  })
})

describe('toServerSchema', () => {
  it('wraps the collections as PROTOCOL.md §2 says, as plain JSON', () => {
    expect(toServerSchema(schema).collections.notes).toEqual({ access: { read: 'owner', write: 'owner' } })
    expect(Object.keys(toServerSchema(schema))).toEqual(['collections'])
    expect(toServerSchema({ t: { fields: { a: { type: 'string', required: true, description: undefined } } } }))
      .toEqual({ collections: { t: { fields: { a: { type: 'string', required: true } } } } })
  })
})
