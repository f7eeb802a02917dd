/**
 * Canonical JSON: object keys sorted at every level, `undefined` members left out, so that two
 * equal queries written differently give the same text (and share one subscription).
 */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(sortKeys(value))
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
