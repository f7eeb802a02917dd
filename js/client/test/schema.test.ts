import { describe, expect, expectTypeOf, it } from 'vitest'
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

describe('toServerSchema', () => {
  it('wraps the collections as PROTOCOL.md §2 says, as plain JSON', () => {
    expect(toServerSchema(schema).collections.notes).toEqual({ access: { read: 'owner', write: 'owner' } })
    expect(Object.keys(toServerSchema(schema))).toEqual(['collections'])
    expect(toServerSchema({ t: { fields: { a: { type: 'string', required: true, description: undefined } } } }))
      .toEqual({ collections: { t: { fields: { a: { type: 'string', required: true } } } } })
  })
})
