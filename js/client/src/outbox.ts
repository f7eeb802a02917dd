import type { Clock } from './clock.js'
import { RecordRoomError } from './errors.js'
import type { AckMessage, ErrorMessage, MutationMessage, Record } from './wire.js'

/**
 * Mutations on their way to the server. Every mutation carries a `ref`, fire-and-forget ones
 * too, so that each error names its mutation and each one stays here until the server answered:
 * a mutation in flight when the socket dropped is sent again after the reconnect, in its
 * original order, after the subscriptions. Resending is safe: creates carry a client-chosen id
 * (a duplicate answers `conflict`, resolved below), puts are merges, removes answer `not_found`.
 */

/** The server's frame limit (PROTOCOL.md §4): a bigger mutation would close the socket (1009). */
export const MAX_FRAME_BYTES = 1 << 20

export interface OutboxDeps {
  send(msg: MutationMessage): boolean
  isOpen(): boolean
  clock: Clock
  timeoutMs: number
  maxQueued: number
  /** An error of a fire-and-forget mutation, for the app's onError. */
  report(error: RecordRoomError, mutation: MutationMessage): void
  /** Reads one record over REST (null: not found), to settle a resent create's conflict. */
  lookup(collection: string, id: string): Promise<Record | null>
  /** The connection's user id (hello's), to recognise our own earlier create. */
  selfId(): string | null
}

interface Waiter {
  resolve(value: Record | undefined): void
  reject(error: RecordRoomError): void
  timer: unknown
}

interface Entry {
  msg: MutationMessage & { ref: string }
  /** How many sockets this entry was written to. */
  sends: number
  waiter: Waiter | null
}

export class Outbox {
  private readonly entries = new Map<string, Entry>()
  private refs = 0

  constructor(private readonly deps: OutboxDeps) {}

  /** Queues and (if open) sends a fire-and-forget mutation. Throws queue_full or too_large. */
  fire(msg: MutationMessage): void {
    const refused = this.refusal(msg)
    if (refused !== null) throw refused
    this.add(msg, null)
  }

  /** Queues and (if open) sends a mutation whose ack resolves the promise. */
  confirm(msg: MutationMessage): Promise<Record | undefined> {
    const refused = this.refusal(msg)
    if (refused !== null) return Promise.reject(refused)
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: null }
      const ref = this.add(msg, waiter)
      waiter.timer = this.deps.clock.setTimeout(() => this.timedOut(ref), this.deps.timeoutMs)
    })
  }

  /** After every (re)connect: everything unanswered goes out again, in order. */
  flush(): void {
    for (const entry of this.entries.values()) this.transmit(entry)
  }

  /** Whether the message settled one of ours. */
  ack(msg: AckMessage): boolean {
    const entry = this.take(msg.ref)
    if (entry === null) return false
    entry.waiter?.resolve(msg.record)
    return true
  }

  /**
   * Whether the error belonged to one of ours. A rate limit's refusal (`limit` with
   * `retryAfterMs`) applied nothing: the mutation stays and goes again when the server said (a
   * confirmed one's timeout still runs). Any other `limit` is final.
   */
  error(msg: ErrorMessage & { ref: string }): boolean {
    const waiting = this.entries.get(msg.ref)
    if (waiting !== undefined && msg.code === 'limit' && msg.retryAfterMs !== undefined && msg.retryAfterMs > 0) {
      this.deps.clock.setTimeout(() => {
        if (this.entries.get(msg.ref) === waiting) this.transmit(waiting)
      }, msg.retryAfterMs)
      return true
    }
    const entry = this.take(msg.ref)
    if (entry === null) return false
    void this.settleError(entry, RecordRoomError.fromWire(msg))
    return true
  }

  /** Rejects every confirmed mutation and forgets the rest (rr.close(), removal from the room). */
  failAll(error: RecordRoomError): void {
    const all = [...this.entries.values()]
    this.entries.clear()
    for (const entry of all) {
      if (entry.waiter === null) continue
      this.deps.clock.clearTimeout(entry.waiter.timer)
      entry.waiter.reject(error)
    }
  }

  get size(): number {
    return this.entries.size
  }

  private refusal(msg: MutationMessage): RecordRoomError | null {
    if (!this.deps.isOpen() && this.entries.size >= this.deps.maxQueued) {
      return new RecordRoomError('queue_full', `${this.entries.size} mutations are waiting for the connection (maxQueuedMutations)`)
    }
    if (frameBytes(msg) > MAX_FRAME_BYTES) {
      return new RecordRoomError('too_large', `the ${msg.type} is larger than the server's 1 MiB frame limit`)
    }
    return null
  }

  private add(msg: MutationMessage, waiter: Waiter | null): string {
    const ref = `m${++this.refs}`
    const entry: Entry = { msg: { ...msg, ref }, sends: 0, waiter }
    this.entries.set(ref, entry)
    this.transmit(entry)
    return ref
  }

  private transmit(entry: Entry): void {
    if (this.deps.send(entry.msg)) entry.sends++
  }

  private take(ref: string): Entry | null {
    const entry = this.entries.get(ref)
    if (entry === undefined) return null
    this.entries.delete(ref)
    if (entry.waiter !== null) this.deps.clock.clearTimeout(entry.waiter.timer)
    return entry
  }

  /**
   * A timeout withdraws the mutation: one never sent will not be; one sent may still have been
   * applied (its outcome is unknown) and is not sent again.
   */
  private timedOut(ref: string): void {
    const entry = this.take(ref)
    if (entry === null || entry.waiter === null) return
    const what = entry.sends === 0 ? 'it was never sent, and will not be' : 'it may still have been applied'
    entry.waiter.reject(new RecordRoomError('timeout', `no answer to the ${entry.msg.type} within ${this.deps.timeoutMs} ms: ${what}`))
  }

  private async settleError(entry: Entry, error: RecordRoomError): Promise<void> {
    const settled = entry.sends > 1 ? await this.resentOutcome(entry.msg, error) : null
    if (settled !== null) {
      entry.waiter?.resolve(settled.record)
      return
    }
    if (entry.waiter !== null) entry.waiter.reject(error)
    else this.deps.report(error, entry.msg)
  }

  /**
   * Whether the error of a resent mutation only says that its first send was applied: a create
   * whose id now holds a record of ours, or a remove of a record already gone.
   */
  private async resentOutcome(msg: MutationMessage, error: RecordRoomError): Promise<{ record: Record | undefined } | null> {
    if (msg.type === 'remove' && error.code === 'not_found') return { record: undefined }
    if (msg.type !== 'create' || error.code !== 'conflict' || msg.id === undefined) return null
    try {
      const record = await this.deps.lookup(msg.collection, msg.id)
      return record !== null && record.userId === this.deps.selfId() ? { record } : null
    } catch {
      return null // cannot tell: the conflict stands
    }
  }
}

/** The UTF-8 size of the message as sent, counted exactly only when it could matter. */
function frameBytes(msg: MutationMessage): number {
  const text = JSON.stringify(msg)
  if (text.length * 3 <= MAX_FRAME_BYTES) return text.length
  return new TextEncoder().encode(text).length
}
