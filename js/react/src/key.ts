/**
 * A query's identity for memoisation: JSON with object keys sorted at every level and
 * `undefined` members left out, so `{ where, limit }` written anew on each render, in any key
 * order, keeps one subscription.
 */
export function queryKey(collection: string, options: object): string {
  return JSON.stringify([collection, sortKeys(options)])
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: { [key: string]: unknown } = {}
  for (const key of Object.keys(value).sort()) {
    const v = (value as { [key: string]: unknown })[key]
    if (v !== undefined) out[key] = sortKeys(v)
  }
  return out
}
