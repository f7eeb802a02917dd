import { useState } from 'react'
import { useMutations } from '@recordroom/react'

export function NewTask() {
  const { create } = useMutations()
  const [title, setTitle] = useState('')
  return (
    <form
      className="new-task"
      onSubmit={(e) => {
        e.preventDefault()
        const t = title.trim()
        if (t === '') return
        // Fire-and-forget: the live query shows it as soon as the server has it.
        create('tasks', { title: t, done: false })
        setTitle('')
      }}
    >
      <input placeholder="What needs doing?" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
      <button type="submit" disabled={title.trim() === ''}>
        Add
      </button>
    </form>
  )
}
