/**
 * `@recordroom/react`: a provider that opens the room's socket and hooks over the client's live
 * queries, mutations, files and connection state (docs/clients.md, React). Collaborative text
 * is in `@recordroom/react/yjs`.
 */
export { RecordProvider } from './provider.js'
export type { ClientProviderProps, ConnectingProviderProps, ProviderConnectOptions, RecordProviderProps } from './provider.js'
export { useQuery, useRecord, useSystemQuery } from './useQuery.js'
export type { RecordResult } from './useQuery.js'
export { useMutations } from './useMutations.js'
export type { Mutations } from './useMutations.js'
export { useConnectionState, useMe } from './useConnection.js'
export type { MeResult } from './useConnection.js'
export { useUsers } from './useUsers.js'
export type { UsersResult } from './useUsers.js'
export { useFiles } from './useFiles.js'
export type { FilesQuery, FilesResult } from './useFiles.js'
export { useRecordRoom } from './context.js'
export { typedHooks } from './typed.js'
export type { CollectionTypes, TypedHooks, TypedMutations } from './typed.js'
