import { RecordRoomError } from './errors.js'

/**
 * Canvas mode: a widget in an iframe gets its token from the parent page by postMessage.
 *
 *   child → parent  {type: 'recordroom:token-request', id}
 *   parent → child  {type: 'recordroom:token', id, token}
 *                 | {type: 'recordroom:token-error', id, message}
 *
 * Each side accepts a message only from the one window and origin it was given; anything else is
 * ignored, never answered. Origins must be exact (`*` is refused): a token is a credential.
 */

export interface TokenRequest { type: 'recordroom:token-request'; id: string }
export interface TokenAnswer { type: 'recordroom:token'; id: string; token: string }
export interface TokenRefusal { type: 'recordroom:token-error'; id: string; message: string }

/** A window as postMessage sees it. */
export interface MessageTarget {
  postMessage(message: unknown, targetOrigin: string): void
}

/** What the two halves read of a message event. */
export interface TokenMessageEvent {
  readonly data: unknown
  readonly origin: string
  readonly source: unknown
}

/** A window that receives messages (the iframe's own window, or the parent page's). */
export interface MessageWindow {
  addEventListener(type: 'message', listener: (event: TokenMessageEvent) => void): void
  removeEventListener(type: 'message', listener: (event: TokenMessageEvent) => void): void
}

export interface ParentFrameTokenOptions {
  /** The parent page's exact origin, e.g. https://canvas.example.com. */
  parentOrigin: string
  /** How long to wait for the parent's answer; default 10 000 ms. */
  timeoutMs?: number
  /** The iframe's window; default globalThis.window. */
  window?: ChildWindow
}

/** The iframe's own window, which talks to its parent. */
export interface ChildWindow extends MessageWindow {
  readonly parent: MessageTarget
}

/** A token source for connect({ token }) that asks the parent frame, once per call. */
export function parentFrameToken(options: ParentFrameTokenOptions): () => Promise<string> {
  exactOrigin(options.parentOrigin, 'parentOrigin')
  const timeoutMs = options.timeoutMs ?? 10_000
  let requests = 0
  return () => {
    const win: ChildWindow | undefined = options.window ?? globalThis.window
    if (win === undefined) return Promise.reject(new RecordRoomError('unauthorized', 'parentFrameToken needs a window (it runs in an iframe)'))
    const parent = win.parent
    const id = `${Date.now().toString(36)}-${++requests}`
    return new Promise<string>((resolve, reject) => {
      const done = () => {
        win.removeEventListener('message', onMessage)
        clearTimeout(timer)
      }
      const onMessage = (event: TokenMessageEvent) => {
        if (event.source !== parent || event.origin !== options.parentOrigin) return
        const answer = event.data
        if (!isObject(answer) || answer.id !== id) return
        if (answer.type === 'recordroom:token' && typeof answer.token === 'string') {
          done()
          resolve(answer.token)
        } else if (answer.type === 'recordroom:token-error') {
          done()
          reject(new RecordRoomError('unauthorized', `the parent frame refused a token: ${String(answer.message)}`))
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new RecordRoomError('timeout', `the parent frame (${options.parentOrigin}) gave no token within ${timeoutMs} ms`))
      }, timeoutMs)
      win.addEventListener('message', onMessage)
      const request: TokenRequest = { type: 'recordroom:token-request', id }
      parent.postMessage(request, options.parentOrigin)
    })
  }
}

export interface RelayTokensOptions {
  /** The iframe's exact origin. */
  childOrigin: string
  /** The parent page's window; default globalThis.window. */
  window?: MessageWindow
}

/** The parent page's half: answers the iframe's token requests. Returns a function that stops. */
export function relayTokens(
  iframe: { readonly contentWindow: MessageTarget | null },
  getToken: () => Promise<string>,
  options: RelayTokensOptions,
): () => void {
  exactOrigin(options.childOrigin, 'childOrigin')
  const win: MessageWindow | undefined = options.window ?? globalThis.window
  if (win === undefined) throw new TypeError('relayTokens needs a window')
  const onMessage = (event: TokenMessageEvent) => {
    const child = iframe.contentWindow
    if (child === null || event.source !== child || event.origin !== options.childOrigin) return
    const request = event.data
    if (!isObject(request) || request.type !== 'recordroom:token-request' || typeof request.id !== 'string') return
    void answer(child, request.id)
  }
  const answer = async (child: MessageTarget, id: string) => {
    let reply: TokenAnswer | TokenRefusal
    try {
      reply = { type: 'recordroom:token', id, token: await getToken() }
    } catch (e) {
      reply = { type: 'recordroom:token-error', id, message: e instanceof Error ? e.message : String(e) }
    }
    child.postMessage(reply, options.childOrigin)
  }
  win.addEventListener('message', onMessage)
  return () => win.removeEventListener('message', onMessage)
}

function exactOrigin(origin: string, name: string): void {
  let parsed: URL
  try {
    parsed = new URL(origin)
  } catch {
    throw new TypeError(`${name} must be an origin such as https://example.com, not ${JSON.stringify(origin)}`)
  }
  if (parsed.origin !== origin) throw new TypeError(`${name} must be exactly an origin (scheme://host[:port]), not ${JSON.stringify(origin)}`)
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return v !== null && typeof v === 'object'
}
