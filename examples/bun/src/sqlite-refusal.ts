import { parseDatabaseUrl } from '@latchkey/cli'

/**
 * The one line a server on Bun stops with when `databaseUrl` names an SQLite file, the default
 * `sqlite:./latchkey.db` included; `undefined` for a Postgres URL. The SQLite store is
 * better-sqlite3, a Node addon that does not load on Bun ("not yet supported in Bun"): refused up
 * front, with what to set instead, rather than with the loader's stack trace.
 */
export function sqliteRefusal(databaseUrl: string): string | undefined {
  if (parseDatabaseUrl(databaseUrl).kind === 'postgres') return undefined
  return 'latchkey: the SQLite store needs Node.js (better-sqlite3 does not load on Bun); set LATCHKEY_DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DATABASE to use a Postgres store.'
}
