import { expect, test } from 'vitest'
import type { Page } from '../harness/browser.js'
import { waitForText } from '../harness/browser.js'
import { rest, room, world } from './fixture.js'

const w = world()

/** The titles a records page shows, in order. */
const titles = (page: Page): Promise<string[]> =>
  page.$$eval('#records li', (lis) => lis.map((li) => li.textContent ?? ''))

async function waitForTitles(page: Page, want: string[]): Promise<void> {
  await page.waitForFunction(
    (json: string) => JSON.stringify([...document.querySelectorAll('#records li')].map((li) => li.textContent)) === json,
    { timeout: 15_000 },
    JSON.stringify(want),
  )
}

test('two pages as two users see each other’s creates, puts and removes', async () => {
  const r = room()
  const alice = await w.open('records', r, 'alice')
  await waitForText(alice.page, '#state', 'open')
  const bob = await w.open('records', r, 'bob')
  await waitForText(bob.page, '#state', 'open')

  const a1 = await alice.page.evaluate(() => window.e2e.create!({ title: 'from alice' } as never) as string)
  await waitForTitles(bob.page, ['from alice'])
  const b1 = await bob.page.evaluate(() => window.e2e.create!({ title: 'from bob' } as never) as string)
  await waitForTitles(alice.page, ['from alice', 'from bob'])

  await bob.page.evaluate((id) => window.e2e.put!(id as never, { title: 'alice’s, renamed by bob' } as never), a1)
  await waitForTitles(alice.page, ['alice’s, renamed by bob', 'from bob'])
  await alice.page.evaluate((id) => window.e2e.remove!(id as never), b1)
  await waitForTitles(bob.page, ['alice’s, renamed by bob'])
  await waitForTitles(alice.page, ['alice’s, renamed by bob'])
  expect(await titles(alice.page)).toEqual(await titles(bob.page))
  expect([...alice.errors, ...bob.errors]).toEqual([])
})

test('a confirmed create that violates the schema rejects with invalid and its field path', async () => {
  const r = room()
  const schema = {
    collections: {
      tasks: {
        fields: { title: { type: 'string', required: true, maxLength: 20 }, priority: { type: 'integer', minimum: 0 } },
        additionalFields: false,
      },
    },
  }
  expect((await rest(w, 'alice', 'PUT', `${r}/schema`, schema)).status).toBe(200)
  const alice = await w.open('records', r, 'alice')
  await waitForText(alice.page, '#state', 'open')

  const bad = await alice.page.evaluate(() => window.e2e.createConfirmed!({ title: 'fine', priority: -1 } as never))
  expect(bad).toMatchObject({ ok: false, code: 'invalid' })
  expect((bad as { details: Array<{ path: string }> }).details.map((d) => d.path)).toEqual(['priority'])

  const good = await alice.page.evaluate(() => window.e2e.createConfirmed!({ title: 'fine', priority: 1 } as never))
  expect(good).toMatchObject({ ok: true })
  await waitForTitles(alice.page, ['fine'])
})
