/**
 * The test harness: a real server on a fresh database, tokens it accepts. Shared by the browser
 * tests here and by @recordroom/react's integration tests.
 */
export { baseDatabaseUrl, freshDatabase } from './db.js'
export type { TestDatabase } from './db.js'
export { freePort, repoRoot, serverBinary, TestServer } from './server.js'
export type { ServerOptions } from './server.js'
export { mintToken } from './tokens.js'
export type { Claims } from './tokens.js'
