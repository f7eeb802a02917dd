import { useMemo } from 'react'
import type { QueryResult, RecordRoomError, SystemItem, User, UserData } from './client.js'
import { useSystemQuery } from './useQuery.js'

/** The room's users, live (the `$users` system collection; role ≥ member may read it). */
export interface UsersResult {
  readonly status: 'loading' | 'ready' | 'error'
  readonly users: readonly User[]
  readonly error?: RecordRoomError
}

// A User object per $users item, so a user keeps its identity while its row does not change.
const users = new WeakMap<SystemItem<UserData>, User>()

function userOf(item: SystemItem<UserData>): User {
  let u = users.get(item)
  if (u === undefined) {
    u = { id: item.id, ...item.data }
    users.set(item, u)
  }
  return u
}

/** Every user of the room, live: joins, role changes and removals re-render. */
export function useUsers(): UsersResult {
  const result: QueryResult<SystemItem<UserData>> = useSystemQuery<UserData>('$users')
  return useMemo(() => {
    const list = result.records.map(userOf)
    return result.error === undefined
      ? { status: result.status, users: list }
      : { status: result.status, users: list, error: result.error }
  }, [result])
}
