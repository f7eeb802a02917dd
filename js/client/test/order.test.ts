import { describe, expect, it } from 'vitest'
import { comparator, compareStrings, type Orderable } from '../src/order.js'

const utf8 = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')))

function rec(id: string, data: unknown, createdAt = '2026-11-27T10:00:00.000000Z'): Orderable {
  return { id, data, userId: 'u', createdAt, updatedAt: createdAt }
}

const ids = (items: Orderable[]) => items.map((r) => r.id)

describe('compareStrings', () => {
  it('orders an astral character after U+E000–U+FFFF, as UTF-8 does (JavaScript < does not)', () => {
    const astral = '😀' // U+1F600, a surrogate pair in UTF-16
    const high = '\uFFFD'
    expect(astral < high).toBe(true) // UTF-16 code units: 0xD83D < 0xFFFD
    expect(compareStrings(astral, high)).toBe(1)
    expect(compareStrings(high, astral)).toBe(-1)
    expect(compareStrings('\uE000', '𐀀')).toBe(-1)
    expect(utf8('\uE000', '𐀀')).toBe(-1)
  })

  it('agrees with UTF-8 byte order on random strings over every plane', () => {
    let seed = 42
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const pool = [0x41, 0x7a, 0xe9, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f600, 0x10ffff]
    const randomString = () => {
      let s = ''
      const n = Math.floor(rand() * 4)
      for (let i = 0; i < n; i++) s += String.fromCodePoint(pool[Math.floor(rand() * pool.length)]!)
      return s
    }
    for (let i = 0; i < 5000; i++) {
      const a = randomString()
      const b = randomString()
      expect(compareStrings(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(utf8(a, b))
    }
  })

  it('puts a prefix first', () => {
    expect(compareStrings('ab', 'abc')).toBe(-1)
    expect(compareStrings('abc', 'abc')).toBe(0)
  })
})

describe('comparator', () => {
  it('ranks types: missing, null, numbers, strings, booleans, arrays, objects', () => {
    const items = [
      rec('obj', { v: { a: 1 } }),
      rec('arr', { v: [1] }),
      rec('true', { v: true }),
      rec('false', { v: false }),
      rec('str', { v: 'a' }),
      rec('num', { v: 10 }),
      rec('neg', { v: -1.5 }),
      rec('null', { v: null }),
      rec('missing', {}),
    ]
    items.sort(comparator([{ field: 'v' }]))
    expect(ids(items)).toEqual(['missing', 'null', 'neg', 'num', 'str', 'false', 'true', 'arr', 'obj'])
    items.sort(comparator([{ field: 'v', dir: 'desc' }]))
    expect(ids(items)).toEqual(['obj', 'arr', 'true', 'false', 'str', 'num', 'neg', 'null', 'missing'])
  })

  it('breaks ties by id ascending, even under desc', () => {
    const items = [rec('c', { p: 1 }), rec('a', { p: 1 }), rec('b', { p: 2 })]
    items.sort(comparator([{ field: 'p', dir: 'desc' }]))
    expect(ids(items)).toEqual(['b', 'a', 'c'])
  })

  it('ties arrays with arrays and objects with objects', () => {
    const items = [rec('b', { v: [2] }), rec('a', { v: [3] }), rec('d', { v: { z: 1 } }), rec('c', { v: { a: 1 } })]
    items.sort(comparator([{ field: 'v' }]))
    expect(ids(items)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('defaults to createdAt ascending, then id', () => {
    const items = [
      rec('b', {}, '2026-11-27T10:00:00.000002Z'),
      rec('z', {}, '2026-11-27T10:00:00.000001Z'),
      rec('a', {}, '2026-11-27T10:00:00.000002Z'),
    ]
    items.sort(comparator(undefined))
    expect(ids(items)).toEqual(['z', 'a', 'b'])
    items.sort(comparator([]))
    expect(ids(items)).toEqual(['z', 'a', 'b'])
  })

  it('walks dotted paths through objects only, never array indexes', () => {
    const items = [rec('a', { addr: { city: 'Zürich' } }), rec('b', { addr: { city: 'Aarau' } }), rec('c', { addr: ['x'] }), rec('d', { addr: { '0': 'x' } })]
    items.sort(comparator([{ field: 'addr.city' }]))
    expect(ids(items)).toEqual(['c', 'd', 'b', 'a'])
  })

  it('orders data strings in UTF-8 byte order', () => {
    const items = [rec('astral', { t: '😀' }), rec('bmp', { t: '\uFFFD' }), rec('ascii', { t: 'z' })]
    items.sort(comparator([{ field: 't' }]))
    expect(ids(items)).toEqual(['ascii', 'bmp', 'astral'])
  })

  it('sorts by the reserved fields, an explicit id key replacing the tiebreak', () => {
    const a = { ...rec('a', {}), userId: 'bob' }
    const b = { ...rec('b', {}), userId: 'alice' }
    expect(ids([a, b].sort(comparator([{ field: 'userId' }])))).toEqual(['b', 'a'])
    expect(ids([a, b].sort(comparator([{ field: 'id', dir: 'desc' }])))).toEqual(['b', 'a'])
  })
})
