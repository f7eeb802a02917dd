// Compile-time checks of typedHooks (tsc --noEmit runs them as part of npm test): every line
// marked to expect an error must be one, and the rest must compile.
import { connect } from '@recordroom/client'
import { RecordProvider, typedHooks } from '../src/index.js'

type Types = {
  tasks: { title: string; done?: boolean }
  notes: { text: string }
}
const { useQuery, useRecord, useMutations } = typedHooks<Types>()

export function Checks() {
  const tasks = useQuery('tasks', { where: { done: false } })
  const title: string = tasks.records[0]!.data.title
  // @ts-expect-error: tasks have no `text`
  tasks.records[0]!.data.text
  // @ts-expect-error: no such collection
  useQuery('task')
  const note = useRecord('notes', 'n1')
  const text: string | undefined = note.record?.data.text
  const m = useMutations()
  m.create('tasks', { title: 'x' })
  m.put('tasks', 't1', { done: true })
  // @ts-expect-error: title is required on create
  m.create('tasks', { done: true })
  // @ts-expect-error: done is a boolean
  m.put('tasks', 't1', { done: 'yes' })
  void m.createConfirmed('notes', { text: 'y' }).then((rec) => rec.data.text.toUpperCase())
  return [title, text]
}

// A schema-typed client can be handed to the provider.
const typedClient = connect<Types>({ url: 'http://x', room: 'r', token: 't' })
export const typedTree = <RecordProvider client={typedClient}>{null}</RecordProvider>

export function TypedClient() {
  const rr = typedHooks<Types>().useRecordRoom()
  // @ts-expect-error: the typed client knows tasks need a title
  rr?.create('tasks', { done: true })
  return null
}
