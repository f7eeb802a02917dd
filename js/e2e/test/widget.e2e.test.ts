import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import type { Page } from '../harness/browser.js'
import { world } from './fixture.js'

const w = world()
const screenshot = fileURLToPath(new URL('../../../docs/images/widget.png', import.meta.url))

const titles = (page: Page): Promise<string[]> => page.$$eval('.task .title', (s) => s.map((e) => e.textContent ?? ''))

async function waitForTitles(page: Page, want: string[]): Promise<void> {
  await page.waitForFunction(
    (json: string) => JSON.stringify([...document.querySelectorAll('.task .title')].map((e) => e.textContent)) === json,
    { timeout: 15_000 },
    JSON.stringify(want),
  )
}

async function clickFilter(page: Page, name: string): Promise<void> {
  const buttons = await page.$$('.filters button')
  for (const b of buttons) if ((await b.evaluate((e) => e.textContent ?? '')).startsWith(name)) return b.click()
  throw new Error(`no filter ${name}`)
}

test('the example widget: create, toggle, filter, delete, and a note two users edit', async () => {
  const r = 'demo' // the world's database is fresh; the name shows in the screenshot
  const alice = await w.open('widget', r, 'alice')
  await alice.page.setViewport({ width: 760, height: 500, deviceScaleFactor: 1 })
  await alice.page.waitForSelector('.state-open')

  for (const t of ['Water the plants', 'Write the release notes', 'Book the venue', 'Order more coffee']) {
    await alice.page.type('.new-task input', t)
    await alice.page.keyboard.press('Enter')
  }
  await waitForTitles(alice.page, ['Water the plants', 'Write the release notes', 'Book the venue', 'Order more coffee'])

  const rows = await alice.page.$$('.task')
  await (await rows[0]!.$('input[type=checkbox]'))!.click()
  await (await rows[3]!.$('.delete'))!.click()
  await alice.page.waitForFunction(() => document.querySelectorAll('.task.done').length === 1, { timeout: 15_000 })
  await waitForTitles(alice.page, ['Water the plants', 'Write the release notes', 'Book the venue'])

  await clickFilter(alice.page, 'done')
  await waitForTitles(alice.page, ['Water the plants'])
  await clickFilter(alice.page, 'active')
  await waitForTitles(alice.page, ['Write the release notes', 'Book the venue'])
  await clickFilter(alice.page, 'all')
  await waitForTitles(alice.page, ['Water the plants', 'Write the release notes', 'Book the venue'])

  // Bob opens the same task's note; both type into it.
  const bob = await w.open('widget', r, 'bob')
  await waitForTitles(bob.page, await titles(alice.page))
  await (await (await alice.page.$$('.task'))[1]!.$('.note-toggle'))!.click()
  await (await (await bob.page.$$('.task'))[1]!.$('.note-toggle'))!.click()
  await alice.page.waitForSelector('textarea.note:not([disabled])')
  await bob.page.waitForSelector('textarea.note:not([disabled])')
  await alice.page.type('textarea.note', 'Draft by Friday. ')
  await bob.page.waitForFunction(() => (document.querySelector('textarea.note') as HTMLTextAreaElement).value === 'Draft by Friday. ', { timeout: 15_000 })
  await bob.page.focus('textarea.note')
  await bob.page.keyboard.press('End')
  await bob.page.keyboard.type('Bob reviews.')
  const note = 'Draft by Friday. Bob reviews.'
  await alice.page.waitForFunction((v: string) => (document.querySelector('textarea.note') as HTMLTextAreaElement).value === v, { timeout: 15_000 }, note)

  await alice.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await mkdir(fileURLToPath(new URL('.', `file://${screenshot}`)), { recursive: true })
  await alice.page.screenshot({ path: screenshot as `${string}.png` })
  expect([...alice.errors, ...bob.errors]).toEqual([])
})
