import { expect, test } from 'vitest'
import { waitForText } from '../harness/browser.js'
import { rest, room, world } from './fixture.js'

const w = world()

interface Listed {
  id: string
  data: { title: string }
}

/** Every record of the collection through REST, all pages, in the server's order. */
async function restList(r: string): Promise<Listed[]> {
  const out: Listed[] = []
  let after: string | undefined
  do {
    const q = new URLSearchParams({ limit: '500' })
    if (after !== undefined) q.set('after', after)
    const { body } = await rest(w, 'alice', 'GET', `${r}/collections/tasks/records?${q}`)
    const page = body as { records: Listed[]; next?: string }
    out.push(...page.records)
    after = page.next
  } while (after !== undefined)
  return out
}

test('after a server restart the page’s results equal a fresh REST query, and every create lands once', async () => {
  const r = room()
  const p = await w.open('records', r, 'alice')
  await waitForText(p.page, '#state', 'open')
  for (const title of ['before 1', 'before 2', 'before 3']) {
    await p.page.evaluate((t) => window.e2e.createConfirmed!({ title: t } as never), title)
  }

  // Creates in flight when the server stops: fired every few ms while it shuts down.
  const firing = p.page.evaluate(async () => {
    for (let i = 1; i <= 40; i++) {
      window.e2e.create!({ title: `flight ${i}` } as never)
      await new Promise((res) => setTimeout(res, 5))
    }
  })
  await new Promise((res) => setTimeout(res, 60))
  await w.server.stop()
  await firing
  await p.page.waitForFunction(() => document.querySelector('#state')?.textContent !== 'open', { timeout: 15_000 })

  // Creates made while the server is down wait in the client's queue.
  for (let i = 1; i <= 5; i++) await p.page.evaluate((t) => window.e2e.create!({ title: t } as never), `down ${i}`)
  // A change made by someone else meanwhile: the fresh snapshot must bring it.
  await w.server.start()
  await rest(w, 'alice', 'POST', `${r}/collections/tasks/records`, { data: { title: 'via REST while the page reconnects' } })

  const expected = ['before 1', 'before 2', 'before 3', ...range(40, 'flight'), ...range(5, 'down'), 'via REST while the page reconnects']
  await waitForText(p.page, '#state', 'open', 30_000)
  await p.page.waitForFunction((n: number) => document.querySelectorAll('#records li').length >= n, { timeout: 30_000 }, expected.length)
  // Let anything late (a duplicate would be) arrive before comparing.
  await new Promise((res) => setTimeout(res, 1000))

  const listed = await restList(r)
  const shown = await p.page.$$eval('#records li', (lis) => lis.map((li) => ({ id: li.getAttribute('data-id'), title: li.textContent })))
  expect(shown).toEqual(listed.map((rec) => ({ id: rec.id, title: rec.data.title })))
  expect(listed.map((rec) => rec.data.title).sort()).toEqual([...expected].sort())
  expect(p.errors.filter((e) => !e.includes('WebSocket'))).toEqual([])
})

function range(n: number, prefix: string): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`)
}
