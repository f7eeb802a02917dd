import { createContext, useContext, useSyncExternalStore } from 'react'
import type { Client } from './client.js'
import type { ClientSlot } from './slot.js'

/** The provider's slot; hooks read the client through it. */
export const SlotContext = createContext<ClientSlot<Client> | null>(null)

/** The nearest provider's slot; a hook outside any provider is a programming error. */
export function useSlot(hook: string): ClientSlot<Client> {
  const slot = useContext(SlotContext)
  if (slot === null) throw new Error(`${hook} must be used inside <RecordProvider>`)
  return slot
}

const noClient = (): null => null

/**
 * The provider's client, or null until it is connected (the first render, and always during
 * server-side rendering: no socket is ever opened on the server).
 */
export function useClient(hook: string): Client | null {
  const slot = useSlot(hook)
  return useSyncExternalStore(slot.listen, slot.peek, noClient)
}

/** The provider's client itself, for what no hook covers; null until connected and on the server. */
export function useRecordRoom(): Client | null {
  return useClient('useRecordRoom')
}
