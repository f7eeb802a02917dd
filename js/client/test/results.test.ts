import { describe, expect, it } from 'vitest'
import { comparator } from '../src/order.js'
import { applyChanges, applySnapshot } from '../src/results.js'
import type { Record } from '../src/wire.js'

function rec(id: string, p: number, version = 1): Record {
  return { id, collection: 'tasks', userId: 'u', data: { p }, version, createdAt: '2026-11-27T10:00:00.000000Z', updatedAt: '2026-11-27T10:00:00.000000Z' }
}

const byP = comparator([{ field: 'p' }])
const ids = (rs: readonly Record[]) => rs.map((r) => `${r.id}:${r.data.p}`)

describe('applySnapshot', () => {
  it('keeps held objects of unchanged versions and returns the same array when nothing changed', () => {
    const held = [rec('a', 1), rec('b', 2)]
    const same = applySnapshot(held, [rec('a', 1), rec('b', 2)])
    expect(same).toBe(held)
    const next = applySnapshot(held, [rec('b', 2), rec('c', 3), rec('a', 9, 2)])
    expect(ids(next)).toEqual(['b:2', 'c:3', 'a:9'])
    expect(next[0]).toBe(held[1])
    expect(next[2]).not.toBe(held[0])
  })

  it('compares system items by value, having no version', () => {
    const held = [{ id: 'alice', data: { role: 'member' } }]
    expect(applySnapshot(held, [{ id: 'alice', data: { role: 'member' } }])).toBe(held)
    expect(applySnapshot(held, [{ id: 'alice', data: { role: 'admin' } }])[0]!.data).toEqual({ role: 'admin' })
  })
})

describe('applyChanges', () => {
  const held = [rec('a', 1), rec('b', 2), rec('c', 3)]

  it('inserts an upsert at its sorted place', () => {
    const next = applyChanges(held, [rec('x', 2)], [], byP)
    expect(ids(next)).toEqual(['a:1', 'b:2', 'x:2', 'c:3'])
    expect(next[0]).toBe(held[0])
  })

  it('moves a changed record and keeps the others', () => {
    const next = applyChanges(held, [rec('a', 5, 2)], [], byP)
    expect(ids(next)).toEqual(['b:2', 'c:3', 'a:5'])
    expect(next[0]).toBe(held[1])
    expect(held.map((r) => r.id)).toEqual(['a', 'b', 'c']) // the held array is never mutated
  })

  it('removes ids, including ones pushed out of a limit window alongside an insert', () => {
    const next = applyChanges(held, [rec('x', 0)], ['c'], byP)
    expect(ids(next)).toEqual(['x:0', 'a:1', 'b:2'])
  })

  it('ignores an upsert older than the version held, and an unchanged one, without a new array', () => {
    const v3 = [rec('a', 1, 3)]
    expect(applyChanges(v3, [rec('a', 7, 2)], [], byP)).toBe(v3)
    expect(applyChanges(v3, [rec('a', 1, 3)], [], byP)).toBe(v3)
    expect(applyChanges(v3, [], ['nope'], byP)).toBe(v3)
  })
})
