import type { Clock } from './clock.js'

/** A token, or a function giving one (called again on every (re)connect, like Clerk's getToken). */
export type TokenSource = string | (() => Promise<string>)

/** How long before `exp` a token counts as due for refresh. */
export const REFRESH_BEFORE_EXP_MS = 30_000

/**
 * A JWT's `exp` in milliseconds, read without verifying (the server verifies); null when the
 * token is not a JWT or has no numeric exp.
 */
export function tokenExpiry(token: string): number | null {
  const payload = token.split('.')[1]
  if (payload === undefined) return null
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/')
    const claims: unknown = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')))
    if (claims !== null && typeof claims === 'object' && 'exp' in claims && typeof claims.exp === 'number') {
      return claims.exp * 1000
    }
  } catch {
    // Not a JWT we can read: the server will say whether it is a token at all.
  }
  return null
}

/** The token source with the last token it gave, so REST calls need not ask for one each time. */
export class Tokens {
  private last: string | null = null

  constructor(
    private readonly source: TokenSource,
    private readonly clock: Clock,
  ) {}

  /** A token straight from the source (a string source gives itself). */
  async fresh(): Promise<string> {
    const token = typeof this.source === 'string' ? this.source : await this.source()
    this.last = token
    return token
  }

  /** The last token while it is not due for refresh (and carries an exp to tell); else a fresh one. */
  async current(): Promise<string> {
    if (this.last !== null) {
      const exp = tokenExpiry(this.last)
      if (exp !== null && exp - REFRESH_BEFORE_EXP_MS > this.clock.now()) return this.last
    }
    return this.fresh()
  }

  /** Forgets the last token, after the server refused it. */
  invalidate(): void {
    this.last = null
  }
}
