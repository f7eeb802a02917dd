import { expect, test } from 'vitest'
import { waitForText } from '../harness/browser.js'
import { rest, room, world } from './fixture.js'

const w = world()

test('a member’s page never receives another user’s owner-scoped record, on the wire', async () => {
  const r = room()
  const schema = { collections: { notes: { access: { read: 'owner', write: 'owner' } } } }
  expect((await rest(w, 'alice', 'PUT', `${r}/schema`, schema)).status).toBe(200) // alice: admin
  const secret = await rest(w, 'alice', 'POST', `${r}/collections/notes/records`, { id: 'alice-secret-1', data: { title: 'alice secret one' } })
  expect(secret.status).toBe(201)

  const bob = await w.open('records', r, 'bob', { collection: 'notes' }, { captureFrames: true })
  await waitForText(bob.page, '#status', 'ready')
  // While bob watches: alice writes more of her own notes (socket and REST), bob writes his.
  const alice = await w.open('records', r, 'alice', { collection: 'notes' })
  await waitForText(alice.page, '#state', 'open')
  await alice.page.evaluate(() => window.e2e.createConfirmed!({ title: 'alice secret two' } as never))
  await rest(w, 'alice', 'POST', `${r}/collections/notes/records`, { id: 'alice-secret-3', data: { title: 'alice secret three' } })
  await rest(w, 'alice', 'PUT', `${r}/collections/notes/records/alice-secret-1`, { data: { title: 'alice secret one, edited' } })
  await bob.page.evaluate(() => window.e2e.createConfirmed!({ title: 'bob’s own' } as never))
  await waitForText(bob.page, '#records', 'bob’s own')
  await waitForText(alice.page, '#records', 'alice secret one, editedalice secret twoalice secret three')

  // The positive control: bob's frames do carry his own note, so the capture works.
  expect(bob.frames.some((f) => f.includes('bob’s own'))).toBe(true)
  const leaked = bob.frames.filter((f) => f.includes('alice secret') || f.includes('alice-secret') || f.includes('"userId":"alice"'))
  expect(leaked).toEqual([])
})
