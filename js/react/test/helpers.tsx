import { StrictMode, version, type ReactNode } from 'react'
import { flushSync } from 'react-dom'
import { createRoot, type Root } from 'react-dom/client'
import { inject } from 'vitest'
import WebSocket from 'ws'
import { randomBytes } from 'node:crypto'
import { connect, type RecordRoom } from '@recordroom/client'
import { mintToken } from '@recordroom/e2e/harness'

/** The run's server (test/server.setup.ts). */
export const server = inject('server')

/** A room no other test uses. */
export function freshRoom(): string {
  return `react-${randomBytes(5).toString('hex')}`
}

export function token(sub: string): string {
  return mintToken(server.secret, { sub, name: sub })
}

/** ws's WebSocket, counting every socket made: StrictMode must open one. */
export class CountingWebSocket extends WebSocket {
  static opened = 0
  constructor(address: string | URL, protocols?: string | string[]) {
    super(address, protocols)
    CountingWebSocket.opened++
  }
}

/** A client of the run's server, as a second user or for set-up. */
export function client(room: string, sub: string): RecordRoom {
  return connect({ url: server.url, room, token: token(sub), WebSocket })
}

/** The React major the run uses, so each config proves it ran the version it claims. */
export const reactMajor = Number(version.split('.')[0])

/** A mounted tree. */
export interface Mounted {
  readonly container: HTMLElement
  rerender(node: ReactNode): Promise<void>
  unmount(): Promise<void>
}

/**
 * Renders `node` into a fresh container, in StrictMode unless told otherwise; the first render
 * and its effects have run when it resolves (flushSync, then a task for passive effects).
 */
export async function render(node: ReactNode, options: { strict?: boolean } = {}): Promise<Mounted> {
  const container = document.createElement('div')
  document.body.append(container)
  const root: Root = createRoot(container)
  const wrap = (n: ReactNode): ReactNode => (options.strict === false ? n : <StrictMode>{n}</StrictMode>)
  flushSync(() => root.render(wrap(node)))
  await settle(0)
  return {
    container,
    rerender: async (n) => {
      flushSync(() => root.render(wrap(n)))
      await settle(0)
    },
    unmount: async () => {
      root.unmount()
      container.remove()
      await settle(0)
    },
  }
}

/** Polls `check` until it stops throwing (the DOM catching up with the server), or times out. */
export async function waitFor<T>(check: () => T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return check()
    } catch (err) {
      if (Date.now() > deadline) throw err
    }
    await settle(20)
  }
}

/** Lets timers, socket messages and React's scheduled work run for `ms`. */
export function settle(ms = 50): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
