import { useState } from 'react'

/** Asks for a token when none was given (`make token SUB=alice` prints one). */
export function TokenForm({ onToken }: { onToken: (token: string) => void }) {
  const [value, setValue] = useState('')
  return (
    <form
      className="card token-form"
      onSubmit={(e) => {
        e.preventDefault()
        if (value.trim() !== '') onToken(value.trim())
      }}
    >
      <h1>Tasks</h1>
      <p>
        Paste a token for this server: <code>make token SUB=alice</code> prints one.
      </p>
      <input autoFocus placeholder="eyJhbGciOi…" value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit">Connect</button>
    </form>
  )
}
