/**
 * Where the widget connects: the page's query (?url=&room=&token=) first, then what `make
 * widget` put in the build (vite.config.ts), then a token pasted into the widget (kept for the
 * tab's session).
 */
declare const __RECORDROOM_URL__: string
declare const __RECORDROOM_ROOM__: string
declare const __RECORDROOM_TOKEN__: string

const query = new URLSearchParams(location.search)
const TOKEN_KEY = 'recordroom-widget-token'

export const serverUrl = query.get('url') ?? __RECORDROOM_URL__
export const room = query.get('room') ?? __RECORDROOM_ROOM__

export function initialToken(): string {
  return query.get('token') ?? (__RECORDROOM_TOKEN__ || sessionStorage.getItem(TOKEN_KEY) || '')
}

export function rememberToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token)
}
