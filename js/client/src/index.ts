export { connect, RecordRoom } from './client.js'
export type {
  AnyCollections, CollectionOf, Collections, ConnectOptions, CreateOptions, DataIn, ErrorSource, PutOptions, RemoveOptions,
} from './client.js'
export type { LiveQuery, QueryOptions, QueryResult } from './livequery.js'
export { parentFrameToken, relayTokens } from './canvas.js'
export type {
  ChildWindow, MessageTarget, MessageWindow, ParentFrameTokenOptions, RelayTokensOptions, TokenAnswer, TokenMessageEvent,
  TokenRefusal, TokenRequest,
} from './canvas.js'
export type { TokenSource } from './token.js'
export type { Clock } from './clock.js'
export type { SocketLike, WebSocketConstructor } from './socket.js'
export { compareStrings } from './order.js'
export { canonicalJSON } from './canonical.js'

export type * from './wire.js'
export { CloseCode, PROTOCOL_VERSION, SERVER_ERROR_CODES } from './wire.js'
export { RecordRoomError } from './errors.js'
export type { ClientErrorCode, ErrorCode } from './errors.js'
export type { BinaryChannel, ConnectionState, RestContext } from './channel.js'

export { createRest } from './rest.js'
export type { ListQuery, Rest, TeamMemberToAdd } from './rest.js'
export { createFiles } from './files.js'
export type { DownloadOptions, FileTarget, Files, ListOptions, UploadBody, UploadOptions } from './files.js'
export { defineSchema, pushSchema, toServerSchema } from './schema.js'
export type {
  CollectionDefinition, CollectionName, FieldSpec, FieldValue, JsonSchema, ReadAccess, RecordOf, SchemaDefinition,
  SchemaTypes, ServerSchema, WriteAccess,
} from './schema.js'
