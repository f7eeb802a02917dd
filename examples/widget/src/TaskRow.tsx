import { memo, useState } from 'react'
import type { Rec } from '@recordroom/client'
import { useMutations } from '@recordroom/react'
import { Note } from './Note.js'
import type { Task } from './task.js'

/** One task; memo: a change to another task leaves this row alone (records keep identity). */
export const TaskRow = memo(function TaskRow({ task }: { task: Rec<Task> }) {
  const { put, remove } = useMutations()
  const [open, setOpen] = useState(false)
  const done = task.data.done === true
  return (
    <li className={done ? 'task done' : 'task'}>
      <div className="row">
        <input type="checkbox" checked={done} onChange={() => put('tasks', task.id, { done: !done })} aria-label="done" />
        <span className="title">{task.data.title}</span>
        <button className={open ? 'note-toggle open' : 'note-toggle'} onClick={() => setOpen(!open)}>
          note
        </button>
        <button className="delete" onClick={() => remove('tasks', task.id)} aria-label="delete">
          ×
        </button>
      </div>
      {open && <Note taskId={task.id} />}
    </li>
  )
})
