// A plain page calling the API from its own origin: CORS decides whether it may read the answer.
import { param } from './params.js'

window.e2e = {
  me: async () => {
    try {
      const res = await fetch(`${param('url')}/v1/rooms/${param('room')}/me`, {
        headers: { authorization: `Bearer ${param('token')}` },
      })
      return { ok: true, status: res.status, body: await res.json() }
    } catch (e) {
      return { ok: false, error: String(e) }
    }
  },
}
