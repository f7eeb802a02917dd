import { expect, test } from 'vitest'
import { room, world } from './fixture.js'

// Only the localhost page origin is allowed; the same page served from 127.0.0.1 is another origin.
const w = world((o) => ({ RECORDROOM_CORS_ORIGINS: o.local }))

interface Answer {
  ok: boolean
  status?: number
  body?: { id?: string }
  error?: string
}

test('a page on another origin reaches the API only when CORS allows its origin', async () => {
  const r = room()
  const allowed = await w.open('cors', r, 'alice')
  const refused = await w.open('cors', r, 'alice', {}, { on: w.other })
  const yes = (await allowed.page.evaluate(() => window.e2e.me!())) as Answer
  expect(yes).toMatchObject({ ok: true, status: 200, body: { id: 'alice' } })
  const no = (await refused.page.evaluate(() => window.e2e.me!())) as Answer
  expect(no.ok).toBe(false)
  expect(no.error).toContain('TypeError')
  expect(refused.errors.join('\n')).toContain('CORS')
})

test('with the list set, a page of an origin not on it cannot open the socket either', async () => {
  const r = room()
  const allowed = await w.open('records', r, 'alice')
  const refused = await w.open('records', r, 'alice', {}, { on: w.other })
  await allowed.page.waitForFunction(() => document.querySelector('#state')?.textContent === 'open', { timeout: 15_000 })
  await new Promise((res) => setTimeout(res, 2000))
  expect(await refused.page.$eval('#state', (e) => e.textContent)).not.toBe('open')
})
