import { useYjsField } from '@recordroom/react/yjs'

/** The task's collaborative note: the field document tasks/<id>/note, edited by everyone at once. */
export function Note({ taskId }: { taskId: string }) {
  const [value, text, setValue] = useYjsField('tasks', taskId, 'note')
  return (
    <textarea
      className="note"
      placeholder={text === null ? 'Connecting…' : 'A note everyone can edit…'}
      disabled={text === null}
      value={value}
      rows={3}
      onChange={(e) => setValue(e.target.value)}
    />
  )
}
