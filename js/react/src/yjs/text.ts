import type * as Y from 'yjs'

/** A Y.Text's current string for useSyncExternalStore, recomputed only after a change. */
export interface TextStore {
  readonly subscribe: (onChange: () => void) => () => void
  readonly get: () => string
}

const stores = new WeakMap<Y.Text, TextStore>()

/** The one store of a Y.Text. It observes from creation, so its cache is never stale. */
export function textStore(text: Y.Text): TextStore {
  let store = stores.get(text)
  if (store !== undefined) return store
  let cached: string | null = null
  const listeners = new Set<() => void>()
  text.observe(() => {
    cached = null
    for (const l of [...listeners]) l()
  })
  store = {
    subscribe: (onChange) => {
      listeners.add(onChange)
      return () => listeners.delete(onChange)
    },
    get: () => (cached ??= text.toString()),
  }
  stores.set(text, store)
  return store
}

/**
 * Makes `text` read `next` with the smallest single edit (a common prefix and suffix kept), so
 * a textarea's whole new value merges with concurrent edits elsewhere instead of replacing them.
 */
export function applyText(text: Y.Text, next: string): void {
  const prev = text.toString()
  if (prev === next) return
  let start = 0
  const max = Math.min(prev.length, next.length)
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++
  let end = 0
  while (end < max - start && prev.charCodeAt(prev.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end++
  // Never split a surrogate pair: Y.Text counts UTF-16 units like JavaScript strings.
  if (start > 0 && isHighSurrogate(prev.charCodeAt(start - 1))) start--
  if (end > 0 && isLowSurrogate(prev.charCodeAt(prev.length - end))) end--
  const removed = prev.length - start - end
  const inserted = next.slice(start, next.length - end)
  const apply = (): void => {
    if (removed > 0) text.delete(start, removed)
    if (inserted !== '') text.insert(start, inserted)
  }
  if (text.doc === null) apply()
  else text.doc.transact(apply)
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff
}
