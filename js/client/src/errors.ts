import type { ErrorDetail, ServerErrorCode, WireError } from './wire.js'

/** Codes the client itself produces, besides the server's. */
export type ClientErrorCode =
  /** A fire-and-forget mutation found the offline queue full (maxQueuedMutations). */
  | 'queue_full'
  /** A confirmed mutation got no answer within mutationTimeoutMs. */
  | 'timeout'
  /** The client was closed (rr.close()) or the user was removed from the room. */
  | 'closed'

/** Every code a RecordRoomError can carry. */
export type ErrorCode = ServerErrorCode | ClientErrorCode

/** The one error type of this package: a code, a message, and for `invalid` the field paths. */
export class RecordRoomError extends Error {
  override readonly name = 'RecordRoomError'
  readonly code: ErrorCode
  /** For `invalid`: each failing field path. */
  readonly details?: readonly ErrorDetail[]
  /** The HTTP status, for errors of REST calls. */
  readonly status?: number

  constructor(code: ErrorCode, message: string, options: { details?: readonly ErrorDetail[]; status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options.details !== undefined) this.details = options.details
    if (options.status !== undefined) this.status = options.status
  }

  /** The error a server message or REST body carries. */
  static fromWire(e: WireError, status?: number): RecordRoomError {
    const options: { details?: readonly ErrorDetail[]; status?: number } = {}
    if (e.details !== undefined && e.details.length > 0) options.details = e.details
    if (status !== undefined) options.status = status
    return new RecordRoomError(e.code, e.message, options)
  }
}
