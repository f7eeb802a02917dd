import { canonicalJSON } from './canonical.js'
import type { Orderable } from './order.js'

/**
 * Applying a subscription's snapshot and changes to its held result. Pure functions: they return
 * the same array when nothing changed, and keep each item object whose content did not change,
 * so that views comparing by reference re-render only what changed.
 */

type Item = Orderable & { readonly version?: number }
type Compare = (a: Orderable, b: Orderable) => number

/** Whether `next` is the same content as `held`: records by version, system items by value. */
function sameItem(held: Item, next: Item): boolean {
  if (held.version !== undefined && next.version !== undefined) return held.version === next.version
  return canonicalJSON(held) === canonicalJSON(next)
}

/** Whether `next` is older than `held` (versions only grow; an older one is a late duplicate). */
function older(held: Item, next: Item): boolean {
  return held.version !== undefined && next.version !== undefined && next.version < held.version
}

/**
 * A snapshot replaces the result. The server's order is taken as it is (it is the order's
 * definition); items equal to held ones keep their held objects.
 */
export function applySnapshot<T extends Item>(held: readonly T[], items: readonly T[]): readonly T[] {
  const byId = new Map(held.map((r) => [r.id, r]))
  let same = held.length === items.length
  const out = items.map((item, i) => {
    const h = byId.get(item.id)
    const keep = h !== undefined && sameItem(h, item) ? h : item
    if (keep !== held[i]) same = false
    return keep
  })
  return same ? held : out
}

/** Changes: upserts enter or move to their sorted place, removes leave. */
export function applyChanges<T extends Item>(held: readonly T[], upserts: readonly T[], removes: readonly string[], compare: Compare): readonly T[] {
  let out: T[] | null = null
  const work = (): T[] => (out ??= [...held])
  for (const id of removes) {
    const list = out ?? held
    const i = list.findIndex((r) => r.id === id)
    if (i >= 0) work().splice(i, 1)
  }
  for (const item of upserts) {
    const list = out ?? held
    const i = list.findIndex((r) => r.id === item.id)
    if (i >= 0) {
      const h = list[i]!
      if (older(h, item) || sameItem(h, item)) continue
      work().splice(i, 1)
    }
    const w = work()
    w.splice(insertionIndex(w, item, compare), 0, item)
  }
  return out ?? held
}

/** The index before the first item that sorts after `item` (binary search). */
function insertionIndex<T extends Orderable>(list: readonly T[], item: T, compare: Compare): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(list[mid]!, item) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
