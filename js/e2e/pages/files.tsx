// useFiles: a list of the widget's files, upload and download exposed to the test.
import { StrictMode, useEffect } from 'react'
import { createRoot } from 'react-dom/client'
import { RecordProvider, useFiles } from '@recordroom/react'
import { param } from './params.js'

const progress: [number, number][] = []

function Files() {
  const files = useFiles({ prefix: 'e2e/' })
  const { upload, url } = files
  useEffect(() => {
    window.e2e = {
      upload: async (path: string, base64: string, contentType: string) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
        progress.length = 0
        const file = await upload(path, new Blob([bytes], { type: contentType }), {
          onProgress: (loaded, total) => progress.push([loaded, total]),
        })
        return file.size
      },
      // The upload's progress events, as the browser reported them: [loaded, total] each.
      progress: () => progress,
      // Through the presigned URL, as a page would show an image: the bytes, base64.
      download: async (path: string) => {
        const res = await fetch(await url(path))
        const bytes = new Uint8Array(await res.arrayBuffer())
        let s = ''
        for (const b of bytes) s += String.fromCharCode(b)
        return { status: res.status, type: res.headers.get('content-type'), base64: btoa(s) }
      },
    }
  }, [upload, url])
  return (
    <main>
      <p id="status">{files.status}</p>
      <ul id="files">
        {files.files.map((f) => (
          <li key={f.path}>{`${f.path} ${f.size}`}</li>
        ))}
      </ul>
    </main>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RecordProvider url={param('url')} room={param('room')} token={param('token')} widget="e2e">
      <Files />
    </RecordProvider>
  </StrictMode>,
)
