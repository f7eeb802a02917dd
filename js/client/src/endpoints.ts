/** Where a room lives: the REST base URL and its WebSocket URL, both derived from `url`. */
export interface Endpoints {
  /** http(s)://host[:port][/prefix], no trailing slash. */
  baseUrl: string
  /** ws(s)://…/v1/rooms/{room}/ws, without query. */
  wsUrl: string
}

/** Accepts http(s):// or ws(s):// base URLs, with an optional path prefix (a reverse proxy's). */
export function endpoints(url: string, room: string): Endpoints {
  const u = new URL(url)
  const secure = u.protocol === 'https:' || u.protocol === 'wss:'
  if (!secure && u.protocol !== 'http:' && u.protocol !== 'ws:') {
    throw new TypeError(`url must be http(s):// or ws(s)://, not ${u.protocol}`)
  }
  const rest = `${u.host}${u.pathname.replace(/\/+$/, '')}`
  return {
    baseUrl: `${secure ? 'https' : 'http'}://${rest}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://${rest}/v1/rooms/${encodeURIComponent(room)}/ws`,
  }
}
