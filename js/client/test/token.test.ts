import { describe, expect, it } from 'vitest'
import { Tokens, tokenExpiry } from '../src/token.js'
import { FakeClock, jwt } from './helpers.js'

describe('tokenExpiry', () => {
  it('reads exp of a JWT in milliseconds, without verifying it', () => {
    expect(tokenExpiry(jwt({ sub: 'a', exp: 1_900_000_000 }))).toBe(1_900_000_000_000)
    expect(tokenExpiry(jwt({ sub: 'a', exp: 5 }, 'another secret'))).toBe(5000)
  })

  it('is null for a token without exp, or not a JWT', () => {
    expect(tokenExpiry(jwt({ sub: 'a' }))).toBeNull()
    expect(tokenExpiry('opaque')).toBeNull()
    expect(tokenExpiry('a.%%%.c')).toBeNull()
  })
})

describe('Tokens', () => {
  it('reuses the last token until 30 s before its exp, then asks the source again', async () => {
    const clock = new FakeClock()
    const exp = Math.floor(clock.now() / 1000) + 120
    let calls = 0
    const tokens = new Tokens(async () => jwt({ sub: 'a', exp: exp + 1000 * calls++ }), clock)
    const first = await tokens.current()
    expect(await tokens.current()).toBe(first)
    await clock.advance(89_000)
    expect(await tokens.current()).toBe(first)
    await clock.advance(2_000)
    expect(await tokens.current()).not.toBe(first)
    expect(calls).toBe(2)
  })

  it('asks again after invalidate', async () => {
    let calls = 0
    const tokens = new Tokens(async () => jwt({ sub: 'a', exp: 4_000_000_000 + calls++ }), new FakeClock())
    await tokens.current()
    tokens.invalidate()
    await tokens.current()
    expect(calls).toBe(2)
  })
})
