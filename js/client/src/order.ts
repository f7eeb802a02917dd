import type { OrderKey } from './wire.js'

/**
 * The server's ordering of query results (filter/order.go, filter/value.go), so that a record a
 * change inserts lands where the server's next snapshot would put it.
 */

/** What a comparator reads of a result item: a Record, or a system collection's {id, data}. */
export interface Orderable {
  readonly id: string
  readonly data: unknown
  readonly userId?: string
  readonly createdAt?: string
  readonly updatedAt?: string
}

/**
 * Compares strings by Unicode code point, which is UTF-8 byte order (the server's). JavaScript's
 * `<` compares UTF-16 code units instead, which puts an astral character (a surrogate pair,
 * 0xD800–0xDFFF) before U+E000–U+FFFF where UTF-8 puts it after.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // Two different units at the same index: their code points order as the units do unless
    // exactly one is a surrogate, which then stands for a code point above every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys) return xs ? 1 : -1
    return x < y ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}

// Type ranks, ascending: a missing field, null, numbers, strings, booleans, arrays, objects.
const MISSING = 0
const NULL = 1
const NUMBER = 2
const STRING = 3
const BOOLEAN = 4
const ARRAY = 5
const OBJECT = 6

function rankOf(v: unknown, present: boolean): number {
  if (!present) return MISSING
  if (v === null) return NULL
  switch (typeof v) {
    case 'number': return NUMBER
    case 'string': return STRING
    case 'boolean': return BOOLEAN
  }
  return Array.isArray(v) ? ARRAY : OBJECT
}

/** The type-aware order of data values; arrays and objects tie with their kind, as on the server. */
export function compareValues(a: unknown, aPresent: boolean, b: unknown, bPresent: boolean): number {
  const ra = rankOf(a, aPresent)
  const rb = rankOf(b, bPresent)
  if (ra !== rb) return ra < rb ? -1 : 1
  switch (ra) {
    case NUMBER: return cmp(a as number, b as number)
    case STRING: return compareStrings(a as string, b as string)
    case BOOLEAN: return a === b ? 0 : a ? 1 : -1
  }
  return 0
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0
}

type Getter = (item: Orderable) => { value: unknown; present: boolean }

/** A data path walks object keys only: a segment is never an array index. */
function dataGetter(path: string): Getter {
  const segments = path.split('.')
  return (item) => {
    let cur: unknown = item.data
    for (const seg of segments) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, seg)) {
        return { value: undefined, present: false }
      }
      cur = (cur as { [key: string]: unknown })[seg]
    }
    return { value: cur, present: true }
  }
}

type KeyCompare = (a: Orderable, b: Orderable) => number

function keyCompare(field: string): KeyCompare {
  switch (field) {
    case 'id': return (a, b) => compareStrings(a.id, b.id)
    case 'userId': return (a, b) => compareStrings(a.userId ?? '', b.userId ?? '')
    // Fixed-width UTC timestamps: string order is chronological order. System items have none,
    // and the server sorts them as equal (zero times).
    case 'createdAt': return (a, b) => compareStrings(a.createdAt ?? '', b.createdAt ?? '')
    case 'updatedAt': return (a, b) => compareStrings(a.updatedAt ?? '', b.updatedAt ?? '')
  }
  const get = dataGetter(field)
  return (a, b) => {
    const x = get(a)
    const y = get(b)
    return compareValues(x.value, x.present, y.value, y.present)
  }
}

/**
 * The comparator of an orderBy: its keys, then id ascending unless id is one of them; no keys
 * means createdAt ascending, then id.
 */
export function comparator(orderBy: readonly OrderKey[] | undefined): (a: Orderable, b: Orderable) => number {
  const keys: OrderKey[] = orderBy !== undefined && orderBy.length > 0 ? [...orderBy] : [{ field: 'createdAt' }]
  if (!keys.some((k) => k.field === 'id')) keys.push({ field: 'id' })
  const compares = keys.map((k) => {
    const c = keyCompare(k.field)
    return k.dir === 'desc' ? (a: Orderable, b: Orderable) => -c(a, b) : c
  })
  return (a, b) => {
    for (const c of compares) {
      const r = c(a, b)
      if (r !== 0) return r
    }
    return 0
  }
}
