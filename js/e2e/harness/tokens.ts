import { createHmac } from 'node:crypto'

/** The claims the server reads (PROTOCOL.md §1); exp defaults to an hour from now. */
export interface Claims {
  sub: string
  email?: string
  name?: string
  exp?: number
  [claim: string]: unknown
}

/** An HS256 JWT signed with `secret`, as the server verifies with RECORDROOM_JWT_SECRET. */
export function mintToken(secret: string, claims: Claims): string {
  const body = { exp: Math.floor(Date.now() / 1000) + 3600, ...claims }
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const payload = b64url(JSON.stringify(body))
  const sig = createHmac('sha256', secret).update(`${head}.${payload}`).digest('base64url')
  return `${head}.${payload}.${sig}`
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url')
}
