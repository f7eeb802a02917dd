/**
 * Schemas as code: `defineSchema` keeps a room schema (PROTOCOL.md §2, docs/schemas.md) as a
 * TypeScript value whose type gives each collection's record data its type, `toServerSchema`
 * turns it into the document `PUT /schema` takes, and `pushSchema` applies it as the room's admin.
 */
import type { RestContext } from './channel.js'
import { createRest } from './rest.js'
import type { Json, JsonObject } from './wire.js'

/** Who may read a collection's records. */
export type ReadAccess = 'viewer' | 'member' | 'admin' | 'owner'
/** Who may write them (viewers never can). */
export type WriteAccess = 'member' | 'admin' | 'owner'

/** JSON Schema's type names. */
export type JsonTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null'

/** A subschema inside a field spec: a JSON Schema, or true (anything) / false (nothing). */
export type Subschema = JsonSchema | boolean

/**
 * The JSON Schema draft 2020-12 keywords the server accepts (docs/schemas.md: no other keyword,
 * no references), plus `x-` extensions.
 */
export interface JsonSchema {
  readonly type?: JsonTypeName | readonly JsonTypeName[]
  readonly enum?: readonly Json[]
  readonly const?: Json
  // numbers
  readonly multipleOf?: number
  readonly minimum?: number
  readonly maximum?: number
  readonly exclusiveMinimum?: number
  readonly exclusiveMaximum?: number
  // strings (`pattern` is RE2 syntax, checked by the server)
  readonly minLength?: number
  readonly maxLength?: number
  readonly pattern?: string
  readonly format?: string
  readonly contentEncoding?: string
  readonly contentMediaType?: string
  readonly contentSchema?: Subschema
  // arrays
  readonly items?: Subschema
  readonly prefixItems?: readonly Subschema[]
  readonly contains?: Subschema
  readonly minContains?: number
  readonly maxContains?: number
  readonly minItems?: number
  readonly maxItems?: number
  readonly uniqueItems?: boolean
  readonly unevaluatedItems?: Subschema
  // objects
  readonly properties?: { readonly [name: string]: Subschema }
  readonly patternProperties?: { readonly [pattern: string]: Subschema }
  readonly additionalProperties?: Subschema
  readonly unevaluatedProperties?: Subschema
  readonly propertyNames?: Subschema
  readonly required?: readonly string[]
  readonly dependentRequired?: { readonly [name: string]: readonly string[] }
  readonly dependentSchemas?: { readonly [name: string]: Subschema }
  readonly minProperties?: number
  readonly maxProperties?: number
  // combinators
  readonly allOf?: readonly Subschema[]
  readonly anyOf?: readonly Subschema[]
  readonly oneOf?: readonly Subschema[]
  readonly not?: Subschema
  readonly if?: Subschema
  readonly then?: Subschema
  readonly else?: Subschema
  readonly $defs?: { readonly [name: string]: Subschema }
  // annotations
  readonly title?: string
  readonly description?: string
  readonly $comment?: string
  readonly default?: Json
  readonly examples?: readonly Json[]
  readonly deprecated?: boolean
  readonly readOnly?: boolean
  readonly writeOnly?: boolean
  readonly [extension: `x-${string}`]: Json | undefined
}

/**
 * A field's spec: a JSON Schema whose top-level `required` may also be RecordRoom's shorthand
 * `true` (the record must have the field). An array keeps JSON Schema's meaning (the keys an
 * object-valued field must hold).
 */
export type FieldSpec = Omit<JsonSchema, 'required'> & { readonly required?: boolean | readonly string[] }

/** One collection: its fields, whether undeclared fields are allowed, and its access levels. */
export interface CollectionDefinition {
  readonly fields?: { readonly [field: string]: FieldSpec }
  /** Default true: data may hold fields beyond `fields` (they are not in the derived type). */
  readonly additionalFields?: boolean
  /** Both default to member. */
  readonly access?: { readonly read?: ReadAccess; readonly write?: WriteAccess }
}

/** A schema as code: collection name → definition. */
export type SchemaDefinition = { readonly [collection: string]: CollectionDefinition }

/** The schema document of the wire (PROTOCOL.md §2), as `GET /schema` answers it. */
export interface ServerSchema {
  collections: { [collection: string]: CollectionDefinition }
}

/**
 * Declares a schema. The argument comes back unchanged; its type is kept literally (enum values,
 * `required: true`), so that `RecordOf<typeof schema, 'tasks'>` is the tasks' data type.
 */
export function defineSchema<const S extends SchemaDefinition>(schema: S): S {
  return schema
}

/** The document PUT /schema takes: `{"collections": {...}}`, as plain JSON. */
export function toServerSchema(schema: SchemaDefinition): ServerSchema {
  return { collections: JSON.parse(JSON.stringify(schema)) as ServerSchema['collections'] }
}

/**
 * Replaces the room's schema with `schema` (the token must be the room's admin's) and answers
 * the document as the server stored it. A schema the server refuses rejects with its
 * RecordRoomError: `bad_request` whose message starts with the path of the first problem
 * (`invalid schema: collections.tasks.fields.title.maxLenght: …`).
 */
export function pushSchema(ctx: RestContext, schema: SchemaDefinition): Promise<ServerSchema> {
  return createRest(ctx).putSchema(toServerSchema(schema))
}

// ---- types derived from a schema ----

/** Flattens an intersection into one object type, for readable hovers and errors. */
type Simplify<T> = { -readonly [K in keyof T]: T[K] } & {}

/** The collection names of a schema. */
export type CollectionName<S extends SchemaDefinition> = keyof S & string

/**
 * The data of a record of collection `C`: declared fields typed by their specs, optional unless
 * `required: true`; any JSON object for a collection without fields.
 */
export type RecordOf<S extends SchemaDefinition, C extends CollectionName<S>> = DataOf<S[C]>

/** Every collection's data type, by name (for typed hooks and mutations). */
export type SchemaTypes<S extends SchemaDefinition> = { -readonly [C in CollectionName<S>]: RecordOf<S, C> }

type DataOf<C> = C extends { readonly fields: infer F } ? FieldsData<F> : JsonObject

type RequiredField<F, K extends keyof F> = F[K] extends { readonly required: true } ? K : never

type FieldsData<F> = Simplify<
  { [K in keyof F as RequiredField<F, K>]: FieldValue<F[K]> } &
  { [K in keyof F as K extends RequiredField<F, K> ? never : K]?: FieldValue<F[K]> }
>

/** The value a spec accepts: enum and const as literal unions, types as their TypeScript types. */
export type FieldValue<F> =
  F extends false ? never :
  F extends true ? Json :
  F extends { readonly const: infer V } ? V :
  F extends { readonly enum: readonly (infer V)[] } ? V :
  F extends { readonly anyOf: readonly (infer A)[] } ? FieldValue<A> :
  F extends { readonly oneOf: readonly (infer A)[] } ? FieldValue<A> :
  F extends { readonly type: infer T } ? TypeValue<T extends readonly (infer U)[] ? U : T, F> :
  Json

type TypeValue<T, F> =
  T extends 'string' ? string :
  T extends 'number' | 'integer' ? number :
  T extends 'boolean' ? boolean :
  T extends 'null' ? null :
  T extends 'array' ? (F extends { readonly items: infer I } ? FieldValue<I>[] : Json[]) :
  T extends 'object' ? ObjectValue<F> :
  never

/** An object-valued field: its declared properties (required per its `required` array), else any object. */
type ObjectValue<F> = F extends { readonly properties: infer P }
  ? Simplify<
      { [K in keyof P as K extends RequiredKey<F> ? K : never]: FieldValue<P[K]> } &
      { [K in keyof P as K extends RequiredKey<F> ? never : K]?: FieldValue<P[K]> }
    >
  : JsonObject

type RequiredKey<F> = F extends { readonly required: readonly (infer K)[] } ? K : never
