import { useState } from 'react'
import { useConnectionState, useMe, useQuery } from '@recordroom/react'
import { room } from './config.js'
import { NewTask } from './NewTask.js'
import { TaskRow } from './TaskRow.js'
import type { Task } from './task.js'

type Filter = 'all' | 'active' | 'done'
const FILTERS: Filter[] = ['all', 'active', 'done']

export function App() {
  const [filter, setFilter] = useState<Filter>('all')
  const state = useConnectionState()
  const { me } = useMe()
  // The list asks the server for just the filter's tasks; the counts come from all of them
  // (for "all" both are the same query, shared on the wire).
  const shown = useQuery<Task>('tasks', {
    where: filter === 'all' ? undefined : { done: filter === 'done' },
    orderBy: [{ field: 'createdAt' }],
  })
  const all = useQuery<Task>('tasks', { orderBy: [{ field: 'createdAt' }] })
  const done = all.records.filter((t) => t.data.done === true).length
  const counts: Record<Filter, number> = { all: all.records.length, active: all.records.length - done, done }

  return (
    <main className="card">
      <header>
        <h1>Tasks</h1>
        <span className="room">{room}</span>
        <span className={`state state-${state}`} title={`connection: ${state}`}>
          {state}
        </span>
        {me !== null && me.id !== null && <span className="me">{me.id}</span>}
      </header>
      <NewTask />
      <nav className="filters">
        {FILTERS.map((f) => (
          <button key={f} className={f === filter ? 'active' : ''} onClick={() => setFilter(f)}>
            {f} <span className="count">{counts[f]}</span>
          </button>
        ))}
      </nav>
      <ul className="tasks">
        {shown.records.map((t) => (
          <TaskRow key={t.id} task={t} />
        ))}
      </ul>
      {shown.status === 'ready' && shown.records.length === 0 && <p className="empty">Nothing here.</p>}
      {shown.status === 'error' && <p className="error">{shown.error?.message}</p>}
    </main>
  )
}
