import { memo } from 'react'
import { expect, test } from 'vitest'
import WebSocket from 'ws'
import type { Rec } from '@recordroom/client'
import { RecordProvider, useQuery, useRecord } from '../src/index.js'
import { client, freshRoom, render, server, settle, token, waitFor } from './helpers.js'

// Renders counted per component (StrictMode off: it would render each twice by design).
const renders = new Map<string, number>()
const count = (name: string): void => {
  renders.set(name, (renders.get(name) ?? 0) + 1)
}
const snapshot = (): { [name: string]: number } => Object.fromEntries(renders)

type Task = { title: string; done: boolean }

const Row = memo(function Row({ task }: { task: Rec<Task> }) {
  count(`row:${task.id}`)
  return <li>{task.data.title}</li>
})

function List() {
  // A new options object on every render, on purpose.
  const { records } = useQuery<Task>('tasks', { orderBy: [{ field: 'title' }] })
  count('list')
  return <ul>{records.map((t) => <Row key={t.id} task={t} />)}</ul>
}

function DoneCount() {
  const { records } = useQuery<Task>('tasks', { where: { done: true } })
  count('done')
  return <p id="done">{records.length}</p>
}

function Single() {
  const { record } = useRecord<Task>('tasks', 't5')
  count('single')
  return <p id="single">{record?.data.title}</p>
}

test('a change to one record re-renders only the components whose results changed', async () => {
  const room = freshRoom()
  const alice = client(room, 'alice')
  for (let i = 1; i <= 5; i++) await alice.createConfirmed('tasks', { title: `task ${i}`, done: i === 5 }, { id: `t${i}` })

  const m = await render(
    <RecordProvider url={server.url} room={room} token={token('bob')} options={{ WebSocket }}>
      <List />
      <DoneCount />
      <Single />
    </RecordProvider>,
    { strict: false },
  )
  await waitFor(() => {
    expect(m.container.querySelectorAll('li')).toHaveLength(5)
    expect(m.container.querySelector('#done')!.textContent).toBe('1')
    expect(m.container.querySelector('#single')!.textContent).toBe('task 5')
  })
  await settle(200)
  const before = snapshot()

  await alice.putConfirmed('tasks', 't2', { title: 'task 2, renamed' })
  await waitFor(() => expect(m.container.textContent).toContain('task 2, renamed'))
  await settle(200)
  const after = snapshot()

  const delta = Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]))
  expect(delta).toEqual({
    list: 1, 'row:t2': 1, 'row:t1': 0, 'row:t3': 0, 'row:t4': 0, 'row:t5': 0, done: 0, single: 0,
  })

  // And a change inside the done query re-renders it, not the record view of another task.
  await alice.putConfirmed('tasks', 't1', { done: true })
  await waitFor(() => expect(m.container.querySelector('#done')!.textContent).toBe('2'))
  await settle(200)
  const last = snapshot()
  expect(last.single).toBe(after.single)
  expect(last['row:t3']).toBe(after['row:t3'])
  expect(last['row:t1']).toBe(after['row:t1']! + 1)

  await m.unmount()
  alice.close()
})
