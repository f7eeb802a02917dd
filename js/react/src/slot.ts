import { RecordRoomError } from '@recordroom/client'

/** What a slot needs of the client it holds. */
export interface Closable {
  close(): void
}

/**
 * A provider's hold on one client. Nothing happens when a slot is made (React may make and drop
 * them while rendering); the client is connected on first use, by the provider's effect or by a
 * child calling a mutation from its own effect, which runs first. Mounts hold the slot with
 * acquire/release; the last release closes the client one task later, unless a mount took it
 * again meanwhile. StrictMode's simulated unmount and remount happens synchronously, so it keeps
 * the one socket instead of closing it and opening a second.
 */
export class ClientSlot<C extends Closable> {
  private client: C | null
  private holders = 0
  /** Closed by the last release and not acquired since: mutations must not reopen it. */
  private ended = false
  private closeTimer: ReturnType<typeof setTimeout> | null = null
  private readonly listeners = new Set<() => void>()

  /**
   * `create` makes the client; `owned` false means the slot was handed a client made elsewhere
   * (RecordProvider's `client` prop): it is there from the first render and never closed here.
   */
  private constructor(
    private readonly create: () => C,
    private readonly owned: boolean,
    initial: C | null,
  ) {
    this.client = initial
  }

  /** A slot that connects with `create` when first used and closes what it made. */
  static lazy<C extends Closable>(create: () => C): ClientSlot<C> {
    return new ClientSlot(create, true, null)
  }

  /** A slot around a client the application owns. */
  static fixed<C extends Closable>(client: C): ClientSlot<C> {
    return new ClientSlot(() => client, false, client)
  }

  /** The client, or null before first use (and always during server-side rendering). */
  readonly peek = (): C | null => this.client

  /** Calls listener when the client appears or goes. Shaped for useSyncExternalStore. */
  readonly listen = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  /**
   * The client, connected now if it was not yet. For effects and event handlers, never render.
   * After the provider unmounted it throws `closed` instead of opening a socket nobody closes.
   */
  require(): C {
    if (this.client === null && this.ended) {
      throw new RecordRoomError('closed', 'the RecordProvider of this client has unmounted')
    }
    return this.ensure()
  }

  /** A mount holds the slot: the client is connected and stays open. */
  acquire(): void {
    this.holders++
    if (this.closeTimer !== null) {
      clearTimeout(this.closeTimer)
      this.closeTimer = null
    }
    this.ended = false
    this.ensure()
  }

  /** A mount lets go; the last one closes the client after a deferred check. */
  release(): void {
    this.holders--
    if (this.holders > 0 || !this.owned || this.closeTimer !== null) return
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null
      if (this.holders > 0 || this.client === null) return
      const client = this.client
      this.client = null
      this.ended = true
      client.close()
      this.notify()
    }, 0)
  }

  private ensure(): C {
    if (this.client === null) {
      this.client = this.create()
      this.notify()
    }
    return this.client
  }

  private notify(): void {
    for (const l of [...this.listeners]) l()
  }
}
