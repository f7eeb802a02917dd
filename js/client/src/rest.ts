/**
 * The room's REST routes (PROTOCOL.md §5, docs/protocol.md): the plumbing every REST call of
 * this package shares (URLs, authentication, the error shape) and `createRest`, the helpers for
 * users, settings, teams, invites, the schema and record lists.
 */
import type { RestContext } from './channel.js'
import { RecordRoomError } from './errors.js'
import type {
  ErrorBody, InviteList, JsonObject, Me, OrderKey, Rec, RecordPage, Role, ServerErrorCode, Settings,
  SettingsPatch, Team, TeamList, TeamMember, TeamMemberList, User, UserList,
} from './wire.js'
import type { ServerSchema } from './schema.js'

/** Query parameters; undefined ones are left out. */
export type QueryParams = { readonly [name: string]: string | undefined }

/** One call below `/v1/rooms/{room}`. */
export interface RoomRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Unescaped path segments: ['users', 'a+b@x.org'] is /users/a%2Bb%40x.org. */
  readonly segments: readonly string[]
  readonly query?: QueryParams
  readonly body?: BodyInit
  readonly contentType?: string
  readonly signal?: AbortSignal
}

/**
 * Escapes one path segment, so that an id holding "/", "?", "%", "#", a space or any non-ASCII
 * character stays one segment. The characters RFC 3986 allows in a segment as they are
 * (`: @ $ & + = ! ' ( ) *`) stay unescaped, as Go's url.PathEscape leaves most of them: a user id
 * "a+b@x.org" reads the same in the URL as in the server's logs.
 */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(24|26|2B|3A|3D|40)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

/**
 * The absolute URL of a room route. A segment "." or ".." is refused (bad_request): URLs resolve
 * them, escaped or not, so `files/self/a/../b` would silently mean `files/self/b`.
 */
export function roomUrl(ctx: RestContext, segments: readonly string[], query: QueryParams = {}): string {
  const all = ['v1', 'rooms', ctx.room, ...segments]
  const dot = all.find((s) => s === '.' || s === '..')
  if (dot !== undefined) throw new RecordRoomError('bad_request', `a path segment cannot be ${JSON.stringify(dot)}: URLs resolve it away`)
  const path = all.map(encodeSegment).join('/')
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value)
  const qs = params.toString()
  return `${ctx.baseUrl.replace(/\/+$/, '')}/${path}${qs === '' ? '' : '?' + qs}`
}

/** The headers every room call carries: the token (when there is one) and the widget. */
export async function authHeaders(ctx: RestContext): Promise<{ [name: string]: string }> {
  const headers: { [name: string]: string } = { 'X-Widget-Id': ctx.widget, Accept: 'application/json' }
  const token = await ctx.token()
  if (token !== '') headers.Authorization = `Bearer ${token}`
  return headers
}

const statusCodes: { readonly [status: number]: ServerErrorCode } = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict',
  413: 'too_large', 422: 'invalid', 429: 'limit', 500: 'internal', 503: 'unavailable',
}

/**
 * The error an unsuccessful answer carries: the contract's `{"error":{...}}` body, or, for an
 * answer without it (a proxy's error page), a code derived from the HTTP status.
 */
export function errorFromBody(status: number, text: string): RecordRoomError {
  const body = parseJson(text)
  if (isErrorBody(body)) return RecordRoomError.fromWire(body.error, status)
  const code = statusCodes[status] ?? (status > 500 ? 'unavailable' : 'internal')
  const snippet = text.trim().slice(0, 200)
  return new RecordRoomError(code, `HTTP ${status}${snippet === '' ? '' : ': ' + snippet}`, { status })
}

/** A request that never got an answer: the server or the network is unreachable. */
export function networkError(cause: unknown): RecordRoomError {
  if (cause instanceof RecordRoomError) return cause
  const why = cause instanceof Error ? cause.message : String(cause)
  return new RecordRoomError('unavailable', `the server could not be reached: ${why}`, { cause })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false
  const e = (v as { error: unknown }).error
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
}

/** Makes a room call and returns its successful answer; any other answer rejects. */
export async function send(ctx: RestContext, req: RoomRequest): Promise<Response> {
  const headers = await authHeaders(ctx)
  if (req.contentType !== undefined) headers['Content-Type'] = req.contentType
  const init: RequestInit = { method: req.method, headers }
  if (req.body !== undefined) init.body = req.body
  if (req.signal !== undefined) init.signal = req.signal
  const url = roomUrl(ctx, req.segments, req.query)
  let res: Response
  try {
    res = await ctx.fetch(url, init)
  } catch (err) {
    throw req.signal?.aborted === true ? req.signal.reason : networkError(err)
  }
  if (!res.ok) throw errorFromBody(res.status, await res.text())
  return res
}

/** Makes a room call and decodes its JSON answer. */
export async function sendJson<T>(ctx: RestContext, req: RoomRequest): Promise<T> {
  const res = await send(ctx, req)
  const text = await res.text()
  try {
    return JSON.parse(text) as T
  } catch (err) {
    throw new RecordRoomError('internal', `${req.method} answered ${res.status} without JSON: ${text.slice(0, 200)}`, { cause: err, status: res.status })
  }
}

/** Makes a room call whose answer carries nothing (204). */
export async function sendVoid(ctx: RestContext, req: RoomRequest): Promise<void> {
  const res = await send(ctx, req)
  await res.body?.cancel()
}

/** A request with a JSON body. */
function withJson(method: RoomRequest['method'], segments: readonly string[], value: unknown): RoomRequest {
  return { method, segments, body: JSON.stringify(value), contentType: 'application/json' }
}

/** A REST list of records: `where` and `orderBy` as in live queries, `after` a page cursor. */
export interface ListQuery {
  readonly where?: JsonObject
  readonly orderBy?: readonly OrderKey[]
  /** Page size: 1–10000, default 1000. */
  readonly limit?: number
  /** The `next` of the previous page. */
  readonly after?: string
}

/** A team member to add: a user of the room, or an email address to invite. */
export type TeamMemberToAdd =
  | { readonly userId: string; readonly role?: 'member' | 'admin' }
  | { readonly email: string; readonly role?: 'member' | 'admin' }

/** The REST helpers of a room. Every call rejects with a RecordRoomError. */
export interface Rest {
  /** The caller's user row (created on first access), or an anonymous viewer's caller. */
  me(): Promise<Me>
  /** The room's users (role ≥ member). */
  users(): Promise<User[]>
  /** Changes a user's role (admin). */
  setRole(userId: string, role: Role): Promise<User>
  /** Removes a user from the room (admin); their sockets close with 4003. */
  removeUser(userId: string): Promise<void>
  settings(): Promise<Settings>
  /** Changes the settings the patch names (admin) and answers them all. */
  patchSettings(patch: SettingsPatch): Promise<Settings>
  teams(): Promise<Team[]>
  team(teamId: string): Promise<Team>
  /** Creates a team (admin); the server picks a UUIDv7 id unless one is given. */
  createTeam(name: string, options?: { readonly id?: string }): Promise<Team>
  renameTeam(teamId: string, name: string): Promise<Team>
  /** Deletes a team with its memberships and invites (admin). */
  deleteTeam(teamId: string): Promise<void>
  /** A team's members and invites (role ≥ member). */
  teamMembers(teamId: string): Promise<TeamMember[]>
  /** Adds a user (status active) or invites an email (status pending); admin. */
  addTeamMember(teamId: string, member: TeamMemberToAdd): Promise<TeamMember>
  /** Removes a membership or invite (admin, or the member leaving). */
  removeTeamMember(teamId: string, memberId: string): Promise<void>
  /** The caller's pending invites (matched by the token's email). */
  invites(): Promise<TeamMember[]>
  acceptInvite(inviteId: string): Promise<TeamMember>
  declineInvite(inviteId: string): Promise<TeamMember>
  /** The schema in force (role ≥ member): the room's, else the server default; null in open mode. */
  getSchema(): Promise<ServerSchema | null>
  /** Replaces the room's schema (admin) and answers it as stored. */
  putSchema(schema: ServerSchema): Promise<ServerSchema>
  /** One record; rejects with `not_found` when it is missing or not readable by the caller. */
  record<T extends JsonObject = JsonObject>(collection: string, id: string): Promise<Rec<T>>
  /** One page of a collection's records; pass `next` back as `after` for the following one. */
  records<T extends JsonObject = JsonObject>(collection: string, query?: ListQuery): Promise<RecordPage<T>>
}

/** The REST helpers of the room `ctx` names. */
export function createRest(ctx: RestContext): Rest {
  const get = <T>(...segments: string[]): Promise<T> => sendJson<T>(ctx, { method: 'GET', segments })
  const post = <T>(...segments: string[]): Promise<T> => sendJson<T>(ctx, { method: 'POST', segments })
  const del = (...segments: string[]): Promise<void> => sendVoid(ctx, { method: 'DELETE', segments })
  const json = <T>(method: RoomRequest['method'], segments: string[], value: unknown): Promise<T> =>
    sendJson<T>(ctx, withJson(method, segments, value))
  return {
    me: () => get<Me>('me'),
    users: async () => (await get<UserList>('users')).users,
    setRole: (userId, role) => json<User>('PATCH', ['users', userId], { role }),
    removeUser: (userId) => del('users', userId),
    settings: () => get<Settings>('settings'),
    patchSettings: (patch) => json<Settings>('PATCH', ['settings'], patch),
    teams: async () => (await get<TeamList>('teams')).teams,
    team: (teamId) => get<Team>('teams', teamId),
    createTeam: (name, options = {}) => json<Team>('POST', ['teams'], { id: options.id, name }),
    renameTeam: (teamId, name) => json<Team>('PATCH', ['teams', teamId], { name }),
    deleteTeam: (teamId) => del('teams', teamId),
    teamMembers: async (teamId) => (await get<TeamMemberList>('teams', teamId, 'members')).members,
    addTeamMember: (teamId, member) => json<TeamMember>('POST', ['teams', teamId, 'members'], member),
    removeTeamMember: (teamId, memberId) => del('teams', teamId, 'members', memberId),
    invites: async () => (await get<InviteList>('invites')).invites,
    acceptInvite: (inviteId) => post<TeamMember>('invites', inviteId, 'accept'),
    declineInvite: (inviteId) => post<TeamMember>('invites', inviteId, 'decline'),
    getSchema: () => get<ServerSchema | null>('schema'),
    putSchema: (schema) => json<ServerSchema>('PUT', ['schema'], schema),
    record: <T extends JsonObject = JsonObject>(collection: string, id: string) =>
      get<Rec<T>>('collections', collection, 'records', id),
    records: <T extends JsonObject = JsonObject>(collection: string, query: ListQuery = {}) =>
      sendJson<RecordPage<T>>(ctx, { method: 'GET', segments: ['collections', collection, 'records'], query: listParams(query) }),
  }
}

/** A list query as REST parameters: where and orderBy as JSON (PROTOCOL.md §5). */
function listParams(q: ListQuery): QueryParams {
  return {
    where: q.where === undefined ? undefined : JSON.stringify(q.where),
    orderBy: q.orderBy === undefined || q.orderBy.length === 0 ? undefined : JSON.stringify(q.orderBy),
    limit: q.limit === undefined ? undefined : String(q.limit),
    after: q.after,
  }
}
