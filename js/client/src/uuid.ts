/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Written here rather than
 * taken from the `uuid` package: these dozen lines are all the client needs of it.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const b = new Uint8Array(16)
  globalThis.crypto.getRandomValues(b)
  let ms = nowMs
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256
    ms = Math.floor(ms / 256)
  }
  b[6] = (b[6]! & 0x0f) | 0x70 // version 7
  b[8] = (b[8]! & 0x3f) | 0x80 // variant 10
  let hex = ''
  for (const x of b) hex += x.toString(16).padStart(2, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
