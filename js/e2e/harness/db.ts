import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The cluster the tests make their databases in (the Makefile passes the local one). */
export const baseDatabaseUrl =
  process.env.RECORDROOM_TEST_DATABASE_URL ?? 'postgres://recordroom@127.0.0.1:54329/recordroom?sslmode=disable'

/** A database of its own for one test run. */
export interface TestDatabase {
  readonly url: string
  drop(): Promise<void>
}

/** Creates an empty database beside baseDatabaseUrl's; the server migrates it when it starts. */
export async function freshDatabase(): Promise<TestDatabase> {
  const name = `recordroom_test_js_${randomBytes(6).toString('hex')}`
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(baseDatabaseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseDatabaseUrl })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}
