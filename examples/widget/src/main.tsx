import { StrictMode, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { RecordProvider } from '@recordroom/react'
import { App } from './App.js'
import { initialToken, rememberToken, room, serverUrl } from './config.js'
import { TokenForm } from './TokenForm.js'
import './styles.css'

function Root() {
  const [token, setToken] = useState(initialToken)
  if (token === '') {
    return (
      <TokenForm
        onToken={(t) => {
          rememberToken(t)
          setToken(t)
        }}
      />
    )
  }
  return (
    <RecordProvider url={serverUrl} room={room} token={token} widget="tasks">
      <App />
    </RecordProvider>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
)
