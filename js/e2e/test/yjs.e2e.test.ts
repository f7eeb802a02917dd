import { expect, test } from 'vitest'
import type { Page } from '../harness/browser.js'
import { waitForText } from '../harness/browser.js'
import { room, world } from './fixture.js'

const w = world()

const value = (page: Page): Promise<string> => page.$eval('#note', (t) => (t as HTMLTextAreaElement).value)

test('two pages typing into one useYjsText at the same time converge', async () => {
  const r = room()
  const [a, b] = await Promise.all([w.open('note', r, 'alice', { doc: 'notes/shared' }), w.open('note', r, 'bob', { doc: 'notes/shared' })])
  await Promise.all([waitForText(a.page, '#synced', 'synced'), waitForText(b.page, '#synced', 'synced')])

  // Both type at once, key by key, each at the end of what it sees.
  await Promise.all([
    a.page.type('#note', 'alice types this; ', { delay: 15 }),
    b.page.type('#note', 'bob types that. ', { delay: 15 }),
  ])
  await a.page.waitForFunction(
    (len: number) => (document.querySelector('#note') as HTMLTextAreaElement).value.length === len,
    { timeout: 15_000 },
    'alice types this; bob types that. '.length,
  )
  await b.page.waitForFunction(
    (len: number) => (document.querySelector('#note') as HTMLTextAreaElement).value.length === len,
    { timeout: 15_000 },
    'alice types this; bob types that. '.length,
  )
  const [va, vb] = [await value(a.page), await value(b.page)]
  expect(va).toBe(vb)
  // Interleaved as the keystrokes met, but each page's characters in the order typed.
  expect(subsequence(va, 'alice types this; ')).toBe(true)
  expect(subsequence(va, 'bob types that. ')).toBe(true)

  // A third page opened afterwards loads the same text from the server.
  const c = await w.open('note', r, 'carol', { doc: 'notes/shared' })
  await waitForText(c.page, '#synced', 'synced')
  expect(await value(c.page)).toBe(va)
  expect([...a.errors, ...b.errors, ...c.errors]).toEqual([])
})

/** Whether `part`'s characters occur in `whole` in order (not necessarily adjacent). */
function subsequence(whole: string, part: string): boolean {
  let i = 0
  for (const ch of whole) if (ch === part[i]) i++
  return i === part.length
}
