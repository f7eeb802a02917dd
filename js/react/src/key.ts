import { canonicalJSON } from './client.js'

/**
 * A query's identity for memoisation: the client's canonical JSON (object keys sorted at every
 * level, `undefined` members left out), so `{ where, limit }` written anew on each render, in any
 * key order, keeps one subscription.
 */
export function queryKey(collection: string, options: object): string {
  return canonicalJSON([collection, options])
}
