import { expect, test } from 'vitest'
import { waitForText, type Page } from '../harness/browser.js'
import { rest, room, world } from './fixture.js'

const w = world()

/** The iframe's document, once the parent page has made it. */
async function widgetFrame(page: Page) {
  const frame = await (await page.waitForSelector('#widget'))?.contentFrame()
  if (frame === undefined || frame === null) throw new Error('the parent made no iframe')
  return frame
}

test('an iframe widget on another origin gets its token from its parent by postMessage', async () => {
  const r = room()
  await rest(w, 'carol', 'POST', `${r}/collections/tasks/records`, { data: { title: 'seen inside the iframe' } })
  // Parent on http://localhost:<a>, widget on http://127.0.0.1:<b>: two origins.
  const child = w.other.url('child', { url: w.server.url, room: r, parentOrigin: w.local.origin })
  const parent = await w.open('parent', r, 'carol', { child })
  expect(new URL(child).origin).not.toBe(w.local.origin)

  const frame = await widgetFrame(parent.page)
  await frame.waitForFunction(() => document.querySelector('#state')?.textContent === 'open', { timeout: 15_000 })
  expect(await frame.$eval('#user', (e) => e.textContent)).toBe('carol')
  await frame.waitForFunction(() => document.querySelector('#records')?.textContent === 'seen inside the iframe', { timeout: 15_000 })
  await waitForText(parent.page, '#asked', '1')
  expect(parent.errors).toEqual([])
})

test('a widget whose parent is not the origin it trusts gets no token', async () => {
  const r = room()
  // The widget expects its parent on a third origin: the real parent's answers are ignored.
  const child = w.other.url('child', { url: w.server.url, room: r, parentOrigin: 'http://localhost:1' })
  const parent = await w.open('parent', r, 'carol', { child })
  const frame = await widgetFrame(parent.page)
  await new Promise((res) => setTimeout(res, 3000))
  expect(await frame.$eval('#state', (e) => e.textContent)).not.toBe('open')
  expect(await frame.$eval('#user', (e) => e.textContent)).toBe('')
})
