import { connect, type ConnectOptions, type ErrorSource } from '../src/client.js'
import type { ConnectionState } from '../src/channel.js'
import type { RecordRoomError } from '../src/errors.js'
import { FakeClock, fakeWebSocket, settle } from './helpers.js'

/** A client over fake sockets and a fake clock, with what it reported. */
export async function setup(options: Partial<ConnectOptions> = {}) {
  const clock = new FakeClock()
  const ws = fakeWebSocket()
  const errors: { error: RecordRoomError; source: ErrorSource }[] = []
  const states: ConnectionState[] = []
  const rr = connect({
    url: 'http://localhost:8080',
    room: 'r1',
    token: 'tok',
    widget: 'w1',
    WebSocket: ws.WebSocket,
    clock,
    random: () => 0.5,
    onError: (error, source) => errors.push({ error, source }),
    ...options,
  })
  rr.onState((s) => states.push(s))
  await settle()
  return { rr, clock, ws, errors, states }
}
