/** A task's data (the room may hold a schema saying so; the widget works in open mode too). */
export type Task = {
  title: string
  done?: boolean
}
