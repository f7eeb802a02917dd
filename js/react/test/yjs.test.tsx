import { afterEach, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { RecordProvider } from '../src/index.js'
import { useYjsField, useYjsText } from '../src/yjs/index.js'
import { applyText } from '../src/yjs/text.js'
import { client, freshRoom, render, server, token, waitFor, type Mounted } from './helpers.js'

describe('applyText', () => {
  const cases: Array<[string, string]> = [
    ['', 'hello'],
    ['hello', ''],
    ['hello world', 'hello brave world'],
    ['abc', 'axc'],
    ['aaaa', 'aa'],
    ['a😀b', 'a😁b'],
    ['😀', '😀😀'],
    ['x\uD83D\uDE00', 'x\uD83E\uDE00'],
  ]
  test.each(cases)('%j → %j', (from, to) => {
    const doc = new Y.Doc()
    const text = doc.getText('text')
    text.insert(0, from)
    let transactions = 0
    doc.on('afterTransaction', () => transactions++)
    applyText(text, to)
    expect(text.toString()).toBe(to)
    expect(transactions).toBe(1)
  })

  test('keeps a concurrent edit elsewhere in the text', () => {
    const a = new Y.Doc()
    const b = new Y.Doc()
    a.getText('text').insert(0, 'one two three')
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    applyText(a.getText('text'), 'ONE two three')
    applyText(b.getText('text'), 'one two three!')
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    expect(a.getText('text').toString()).toBe('ONE two three!')
    expect(b.getText('text').toString()).toBe('ONE two three!')
  })
})

const mounted: Mounted[] = []
afterEach(async () => {
  for (const m of mounted.splice(0)) await m.unmount()
})

async function page(room: string, sub: string, node: React.ReactNode): Promise<Mounted> {
  const m = await render(
    <RecordProvider url={server.url} room={room} token={token(sub)} options={{ WebSocket }}>
      {node}
    </RecordProvider>,
  )
  mounted.push(m)
  return m
}

describe('useYjsText', () => {
  test('two users typing at the same time converge, and both see it', async () => {
    const room = freshRoom()
    const setters: { [sub: string]: (v: string) => void } = {}
    function Editor({ who }: { who: string }) {
      const [value, text, setValue] = useYjsText('notes/shared')
      if (text !== null) setters[who] = setValue
      return <p>{value}</p>
    }
    // Two components of one page share the document: neither misses the other's edits.
    function Twice({ who }: { who: string }) {
      return (
        <>
          <Editor who={who} />
          <Editor who={`${who}-again`} />
        </>
      )
    }
    const a = await page(room, 'alice', <Twice who="alice" />)
    const b = await page(room, 'bob', <Twice who="bob" />)
    await waitFor(() => expect(setters.alice && setters.bob).toBeTruthy())
    setters.alice!('hello ')
    setters.bob!('world')
    const texts = (m: Mounted) => [...m.container.querySelectorAll('p')].map((p) => p.textContent)
    await waitFor(() => {
      const t = texts(a)[0]!
      expect(t).toHaveLength('hello world'.length)
      expect(texts(a)).toEqual([t, t])
      expect(texts(b)).toEqual([t, t])
    })
    const [t] = texts(a)
    expect(['hello world', 'worldhello ']).toContain(t)
  })

  test('useYjsField edits the field document of a record', async () => {
    const room = freshRoom()
    const alice = client(room, 'alice')
    await alice.createConfirmed('tasks', { title: 'with a note' }, { id: 't1' })
    let set: ((v: string) => void) | null = null
    function Note({ id }: { id: string }) {
      const [value, text, setValue] = useYjsField('tasks', id, 'note')
      set = text === null ? null : setValue
      return <p>{value}</p>
    }
    const a = await page(room, 'alice', <Note id="t1" />)
    const b = await page(room, 'bob', <Note id="t1" />)
    await waitFor(() => expect(set).not.toBeNull())
    set!('buy milk')
    await waitFor(() => {
      expect(a.container.textContent).toBe('buy milk')
      expect(b.container.textContent).toBe('buy milk')
    })
    const res = await fetch(`${server.url}/v1/rooms/${room}/docs/tasks/t1/note`, { headers: { authorization: `Bearer ${token('alice')}` } })
    const stored = new Y.Doc()
    Y.applyUpdate(stored, new Uint8Array(await res.arrayBuffer()))
    expect(stored.getText('text').toString()).toBe('buy milk')
    alice.close()
  })
})
