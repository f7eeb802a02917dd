import { randomBytes } from 'node:crypto'
import { expect, test } from 'vitest'
import { waitForText } from '../harness/browser.js'
import { room, world } from './fixture.js'

const w = world()

test('a file uploaded from a page is listed and downloads byte-exact', async () => {
  const r = room()
  const p = await w.open('files', r, 'alice')
  await waitForText(p.page, '#status', 'ready')
  // Every byte value, then random ones: nothing may be re-encoded on the way.
  const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(200_000)])
  const size = await p.page.evaluate(
    (b64: string) => window.e2e.upload!('e2e/blob.bin' as never, b64 as never, 'application/octet-stream' as never),
    bytes.toString('base64'),
  )
  expect(size).toBe(bytes.length)
  // Progress comes from the browser's own upload events (XMLHttpRequest): growing, ending at the whole.
  const progress = (await p.page.evaluate(() => window.e2e.progress!())) as [number, number][]
  expect(progress.length).toBeGreaterThan(0)
  expect(progress.at(-1)).toEqual([bytes.length, bytes.length])
  for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0])
  await waitForText(p.page, '#files', `e2e/blob.bin ${bytes.length}`)

  const got = (await p.page.evaluate((path: string) => window.e2e.download!(path as never), 'e2e/blob.bin')) as {
    status: number
    type: string
    base64: string
  }
  expect(got.status).toBe(200)
  expect(got.type).toBe('application/octet-stream')
  expect(Buffer.from(got.base64, 'base64').equals(bytes)).toBe(true)
  expect(p.errors).toEqual([])
})
