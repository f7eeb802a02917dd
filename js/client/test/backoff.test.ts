import { describe, expect, it } from 'vitest'
import { Backoff } from '../src/backoff.js'

// The same schedule as internal/backoff's tests.
describe('Backoff', () => {
  it('doubles its ceiling up to the cap, and starts over after reset', () => {
    const b = new Backoff(100, 1000, () => 0.999999)
    expect(Array.from({ length: 6 }, () => Math.round(b.next()))).toEqual([100, 200, 400, 800, 1000, 1000])
    b.reset()
    expect(Math.round(b.next())).toBe(100)
  })

  it('jitters down to zero (full jitter)', () => {
    const half = new Backoff(1000, 30_000, () => 0.5)
    expect(half.next()).toBe(500)
    expect(half.next()).toBe(1000)
    expect(new Backoff(1000, 30_000, () => 0).next()).toBe(0)
  })

  it('never exceeds the cap, however many attempts', () => {
    const b = new Backoff(250, 30_000, Math.random)
    for (let i = 0; i < 200; i++) {
      const d = b.next()
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThanOrEqual(30_000)
    }
  })
})
