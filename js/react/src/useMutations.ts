import { useMemo } from 'react'
import type { Client } from './client.js'
import { useSlot } from './context.js'

/** The six mutation calls of the client (docs/clients.md, Mutations). */
export type Mutations = Pick<Client, 'create' | 'put' | 'remove' | 'createConfirmed' | 'putConfirmed' | 'removeConfirmed'>

/**
 * The mutation calls, with one identity for the provider's lifetime (safe in dependency lists
 * and as props of memoized children). Called from an effect or an event handler; a call made
 * before the provider's own effect ran connects the client then.
 */
export function useMutations(): Mutations {
  const slot = useSlot('useMutations')
  return useMemo(() => {
    const c = (): Client => slot.require()
    return {
      create: (...args) => c().create(...args),
      put: (...args) => c().put(...args),
      remove: (...args) => c().remove(...args),
      createConfirmed: (...args) => c().createConfirmed(...args),
      putConfirmed: (...args) => c().putConfirmed(...args),
      removeConfirmed: (...args) => c().removeConfirmed(...args),
    } as Mutations
  }, [slot])
}
