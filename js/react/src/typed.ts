import type { CreateOptions, PutOptions, QueryOptions, QueryResult, Rec, RecordRoom, RemoveOptions } from './client.js'
import { useRecordRoom } from './context.js'
import { useMutations } from './useMutations.js'
import { useQuery, useRecord, type RecordResult } from './useQuery.js'

/** Collection name → its records' data type: `SchemaTypes<typeof schema>` from @recordroom/client. */
export type CollectionTypes = { [collection: string]: object }

/** The mutation calls, typed by collection. */
export interface TypedMutations<M extends CollectionTypes> {
  create<C extends keyof M & string>(collection: C, data: M[C], options?: CreateOptions): string
  put<C extends keyof M & string>(collection: C, id: string, data: Partial<M[C]>, options?: PutOptions): void
  remove<C extends keyof M & string>(collection: C, id: string, options?: RemoveOptions): void
  createConfirmed<C extends keyof M & string>(collection: C, data: M[C], options?: CreateOptions): Promise<Rec<M[C]>>
  putConfirmed<C extends keyof M & string>(collection: C, id: string, data: Partial<M[C]>, options?: PutOptions): Promise<Rec<M[C]>>
  removeConfirmed<C extends keyof M & string>(collection: C, id: string, options?: RemoveOptions): Promise<void>
}

/** useQuery, useRecord and useMutations that know each collection's data type. */
export interface TypedHooks<M extends CollectionTypes> {
  useQuery<C extends keyof M & string>(collection: C, options?: QueryOptions): QueryResult<Rec<M[C]>>
  useRecord<C extends keyof M & string>(collection: C, id: string): RecordResult<M[C]>
  useMutations(): TypedMutations<M>
  /** The provider's client, typed; null until connected and on the server. */
  useRecordRoom(): RecordRoom<M> | null
}

/**
 * The hooks typed by a schema: `const { useQuery, useMutations } = typedHooks<SchemaTypes<typeof
 * schema>>()`. The same functions as the untyped exports (nothing happens at run time); only
 * their types change, so collection names and record data are checked at compile time.
 */
export function typedHooks<M extends CollectionTypes>(): TypedHooks<M> {
  return { useQuery, useRecord, useMutations, useRecordRoom } as unknown as TypedHooks<M>
}
