import { fileURLToPath } from 'node:url'
import { mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

// js/react18 is a private workspace package holding React 18 in its own node_modules. Aliasing
// react and react-dom there makes this package's source and tests use React 18; react-dom 18
// finds its own react beside it, so there is one React in the run.
const react18 = (name: string): string => fileURLToPath(new URL(`../react18/node_modules/${name}`, import.meta.url))

export default mergeConfig(base, {
  resolve: {
    alias: [
      { find: /^react$/, replacement: react18('react') },
      { find: /^react\/(.*)$/, replacement: `${react18('react')}/$1` },
      { find: /^react-dom$/, replacement: react18('react-dom') },
      { find: /^react-dom\/(.*)$/, replacement: `${react18('react-dom')}/$1` },
    ],
  },
  test: {
    name: 'react18',
    env: { EXPECT_REACT_MAJOR: '18' },
  },
})
