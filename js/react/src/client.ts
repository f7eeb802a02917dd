/**
 * What this package uses of @recordroom/client, in one place: the client's type under the name
 * the hooks use, and the types they pass through.
 */
export { canonicalJSON, connect, RecordRoomError } from '@recordroom/client'
export type {
  ConnectOptions, ConnectionState, CreateOptions, File, PutOptions, RemoveOptions, FileScope, JsonObject, LiveQuery, Me, QueryOptions, QueryResult, Rec,
  SystemItem, TokenSource, UploadBody, UploadOptions, User, UserData,
} from '@recordroom/client'
export type { AnyCollections, Collections, RecordRoom } from '@recordroom/client'
export type { RecordRoom as Client } from '@recordroom/client'
