import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// `make widget` passes the server, room and a development token in the environment.
export default defineConfig({
  plugins: [react()],
  define: {
    __RECORDROOM_URL__: JSON.stringify(process.env.RECORDROOM_URL ?? 'http://localhost:8080'),
    __RECORDROOM_ROOM__: JSON.stringify(process.env.RECORDROOM_ROOM ?? 'demo'),
    __RECORDROOM_TOKEN__: JSON.stringify(process.env.RECORDROOM_TOKEN ?? ''),
  },
  resolve: {
    // The packages come from ../../js through file: links; one React and one Yjs for all.
    dedupe: ['react', 'react-dom', 'yjs', 'y-protocols'],
  },
  server: { port: 5173, strictPort: true },
})
