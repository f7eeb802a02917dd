/**
 * The wire types: TypeScript's mirror of the Go `protocol` package (protocol/messages.go,
 * shapes.go, errors.go, requests.go) and of docs/protocol.md. Nothing else in this package
 * declares a message shape; change both sides together.
 */

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
/** A JSON object: a record's data, a where-object. */
export type JsonObject = { [key: string]: Json }

/** The protocol version the server announces in hello. */
export const PROTOCOL_VERSION = 1

// ---- errors (protocol/errors.go) ----

/** The server's error codes (PROTOCOL.md §5), the same on REST and WebSocket. */
export type ServerErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'unknown_collection'
  | 'conflict'
  | 'too_large'
  | 'invalid'
  | 'limit'
  | 'internal'
  | 'unavailable'

/** Every server code, in the order of PROTOCOL.md §5. */
export const SERVER_ERROR_CODES: readonly ServerErrorCode[] = [
  'bad_request', 'unauthorized', 'forbidden', 'not_found', 'unknown_collection', 'conflict',
  'too_large', 'invalid', 'limit', 'internal', 'unavailable',
]

/** One failing field of an `invalid` error. */
export interface ErrorDetail {
  path: string
  message: string
}

/** An error as the server sends it (REST inside ErrorBody, WebSocket inside ErrorMessage). */
export interface WireError {
  code: ServerErrorCode
  message: string
  details?: ErrorDetail[]
}

/** How REST answers a failure. */
export interface ErrorBody {
  error: WireError
}

// ---- close codes (protocol/messages.go) ----

/** Why the server ended a socket, and whether to reconnect (PROTOCOL.md §4). */
export const CloseCode = {
  /** A frame over the limit. */
  TooBig: 1009,
  /** The server could not keep the socket exact: reconnect. */
  Internal: 1011,
  /** This server is shutting down: reconnect at once, to another replica. */
  Restarting: 1012,
  /** The token is invalid or expired: reconnect with a fresh token. */
  TokenExpired: 4001,
  /** Removed from the room: do not reconnect. */
  Removed: 4003,
  /** The send queue overflowed: reconnect and resubscribe. */
  TooSlow: 4008,
} as const
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

// ---- shapes (protocol/shapes.go) ----

/**
 * A timestamp: UTC, fixed width ("2026-11-27T10:00:00.123456Z"), so that comparing two of them
 * from the server as strings is chronological order.
 */
export type Timestamp = string

/** A record as every transport shows it (PROTOCOL.md §3). */
export interface Record<T = JsonObject> {
  id: string
  collection: string
  /** The creator; never changes. */
  userId: string
  data: T
  /** 1 when created, +1 per update. */
  version: number
  createdAt: Timestamp
  updatedAt: Timestamp
}

/** One page of a REST record list; `next` is absent on the last page. */
export interface RecordPage<T = JsonObject> {
  records: Record<T>[]
  next?: string
}

/** A room role (PROTOCOL.md §1). */
export type Role = 'admin' | 'member' | 'viewer'

/** A user row without its id: the data of a `$users` item. */
export interface UserData {
  role: Role
  email?: string
  name?: string
  firstSeenAt: Timestamp
  lastSeenAt: Timestamp
}

/** A room's user row. */
export interface User extends UserData {
  id: string
}

/** Who a connection or request speaks for: hello's user, GET /me for an anonymous viewer. */
export interface Caller {
  /** null for an anonymous viewer. */
  id: string | null
  role: Role
  /** Set by GET /me only. */
  anonymous?: boolean
}

/** GET /me's answer: the caller's user row, or a Caller for an anonymous viewer. */
export type Me = User | (Caller & { anonymous: true })

/** A team without its id: the data of a `$teams` item. */
export interface TeamData {
  name: string
  createdBy: string
  createdAt: Timestamp
  updatedAt: Timestamp
}

/** A team of the room. */
export interface Team extends TeamData {
  id: string
}

/** A membership or invite without its id: the data of a `$teamMembers` item. */
export interface TeamMemberData {
  teamId: string
  userId?: string
  email?: string
  /** A label within the team. */
  role: 'member' | 'admin'
  status: 'active' | 'pending' | 'declined'
  invitedBy: string
  createdAt: Timestamp
  updatedAt: Timestamp
}

/** A membership (status active, userId set) or an invite (pending or declined, email set). */
export interface TeamMember extends TeamMemberData {
  id: string
}

/** An item of a system collection over WebSocket: the id, and the rest of the row as data. */
export interface SystemItem<T = UserData | TeamData | TeamMemberData> {
  id: string
  data: T
}

/** The system collections, subscribable like collections (read-only). */
export type SystemCollection = '$users' | '$teams' | '$teamMembers'

/** A file scope (PROTOCOL.md §7). */
export type FileScope = 'self' | 'user' | 'widget'

/** A file's metadata. */
export interface File {
  path: string
  scope: FileScope
  size: number
  contentType: string
  /** The object's entity tag, quotes included, as in an HTTP ETag header. */
  etag: string
  createdBy: string
  updatedAt: Timestamp
}

/** GET /files/{scope}/{path}?redirect=false's answer: a presigned URL, valid until expiresAt. */
export interface FileURL {
  url: string
  expiresAt: Timestamp
}

/** The REST lists: an object holding an array named after the route. */
export interface UserList { users: User[] }
export interface TeamList { teams: Team[] }
export interface TeamMemberList { members: TeamMember[] }
export interface InviteList { invites: TeamMember[] }
export interface FileList { files: File[] }

// ---- REST request bodies and settings (protocol/requests.go) ----

export interface RecordCreate { id?: string; data: JsonObject }
export interface RecordPut { data: JsonObject; replace?: boolean }
export interface RoleChange { role: Role }
export interface TeamCreate { id?: string; name: string }
export interface TeamRename { name: string }
export interface TeamMemberAdd { userId?: string; email?: string; role?: 'member' | 'admin' }
export interface Settings { defaultRole: Role; allowAnonymous: boolean }
export interface SettingsPatch { defaultRole?: Role; allowAnonymous?: boolean }
export interface Health { status: 'ok' | 'ready' | 'unavailable'; checks?: { [name: string]: string } }

// ---- queries (PROTOCOL.md §3) ----

/** One sort key: a data path ("address.city") or id, userId, createdAt, updatedAt. */
export interface OrderKey {
  field: string
  dir?: 'asc' | 'desc'
}

// ---- client messages (protocol/messages.go) ----

export interface SubscribeMessage {
  type: 'subscribe'
  sub: string
  collection: string
  where?: JsonObject
  orderBy?: OrderKey[]
  limit?: number
}

export interface UnsubscribeMessage {
  type: 'unsubscribe'
  sub: string
}

export interface CreateMessage {
  type: 'create'
  ref?: string
  collection: string
  id?: string
  data: JsonObject
}

export interface PutMessage {
  type: 'put'
  ref?: string
  collection: string
  id: string
  data: JsonObject
  replace?: boolean
  ifVersion?: number
}

export interface RemoveMessage {
  type: 'remove'
  ref?: string
  collection: string
  id: string
  ifVersion?: number
}

export interface PingMessage {
  type: 'ping'
  ref?: string
}

export type MutationMessage = CreateMessage | PutMessage | RemoveMessage
export type ClientMessage = SubscribeMessage | UnsubscribeMessage | MutationMessage | PingMessage

// ---- server messages ----

/** A snapshot's or change's item: a Record, or a SystemItem for a system collection. */
export type WireItem = Record | SystemItem

export interface HelloMessage {
  type: 'hello'
  protocol: number
  room: string
  user: Caller
  replica: string
}

export interface SnapshotMessage {
  type: 'snapshot'
  sub: string
  records: WireItem[]
}

export interface ChangesMessage {
  type: 'changes'
  sub: string
  upserts?: WireItem[]
  removes?: string[]
}

export interface AckMessage {
  type: 'ack'
  ref: string
  /** create and put: the record as stored. */
  record?: Record
  /** remove: the removed id. */
  id?: string
}

export interface PongMessage {
  type: 'pong'
  ref?: string
}

/** A failure of the request `ref`, of the subscription `sub`, or of neither. */
export interface ErrorMessage {
  type: 'error'
  ref?: string
  sub?: string
  code: ServerErrorCode
  message: string
  details?: ErrorDetail[]
  /** With a rate limit's `limit`: when the same mutation would be allowed. */
  retryAfterMs?: number
}

/** A Yjs message on the main socket that was refused (PROTOCOL.md §6), in a text frame. */
export interface DocErrorMessage {
  type: 'error'
  doc: string
  code: ServerErrorCode
  message: string
}

export type ServerMessage =
  | HelloMessage
  | SnapshotMessage
  | ChangesMessage
  | AckMessage
  | PongMessage
  | ErrorMessage
  | DocErrorMessage

/** The record type under the name the client's API uses (docs/clients.md). */
export type Rec<T = JsonObject> = Record<T>
