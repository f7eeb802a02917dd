// The canvas: hosts the widget in an iframe of another origin and answers its token requests.
import { relayTokens } from '@recordroom/client'
import { param } from './params.js'

let asked = 0
const iframe = document.createElement('iframe')
iframe.id = 'widget'
iframe.src = param('child')
iframe.style.width = '600px'
iframe.style.height = '200px'
relayTokens(
  iframe,
  async () => {
    asked++
    document.getElementById('asked')!.textContent = String(asked)
    return param('token')
  },
  { childOrigin: new URL(param('child')).origin },
)
document.getElementById('root')!.innerHTML = '<p>tokens given: <span id="asked">0</span></p>'
document.getElementById('root')!.append(iframe)
