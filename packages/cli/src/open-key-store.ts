import { resolve } from 'node:path'
import { type Awaitable, isLatchkeyError, type KeyStore, LatchkeyError } from '@latchkey/verifier'
import { parseDatabaseUrl, redactDatabaseUrl } from './database-url.js'

/** A key store its opener must close: it holds a file handle or connections. */
export type ClosableKeyStore = KeyStore & { close(): Awaitable<void> }

/** Options of {@link openKeyStore}. */
export interface OpenKeyStoreOptions {
  /** The directory relative `sqlite:` paths are resolved against. Default: `process.cwd()`. */
  readonly cwd?: string | undefined
}

/**
 * Opens the key store a database URL names (see {@link parseDatabaseUrl} for the forms): the one
 * way the CLI and the example servers open a store, so they always agree on what a URL means.
 * An SQLite file is created, with its schema, when it does not exist yet; its directory must.
 * Close the store when done.
 *
 * Each store package is imported only when its URL is used, so a store's native module is never
 * loaded for nothing, and a store that is not installed is reported with what to install.
 *
 * @throws {LatchkeyError} `ERR_INVALID_ARGUMENT` when the URL is malformed or its store is not
 *   available. Messages never show a password.
 */
export async function openKeyStore(url: string, options: OpenKeyStoreOptions = {}): Promise<ClosableKeyStore> {
  const location = parseDatabaseUrl(url)
  switch (location.kind) {
    case 'sqlite':
      return openSqlite(resolve(options.cwd ?? process.cwd(), location.filename))
    case 'postgres':
      return openPostgres(location.url)
  }
}

async function openSqlite(filename: string): Promise<ClosableKeyStore> {
  const { openSqliteKeyStore } = await import('@latchkey/store-sqlite')
  return openSqliteKeyStore(filename)
}

async function openPostgres(url: string): Promise<ClosableKeyStore> {
  let module: typeof import('@latchkey/store-postgres')
  try {
    module = await import('@latchkey/store-postgres')
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_MODULE_NOT_FOUND') throw error
    throw new LatchkeyError(
      'ERR_INVALID_ARGUMENT',
      `${JSON.stringify(redactDatabaseUrl(url))} needs @latchkey/store-postgres: install it beside @latchkey/cli, or use an SQLite database (sqlite:PATH).`,
      { cause: error },
    )
  }
  try {
    return await module.openPostgresKeyStore(url)
  } catch (error) {
    // Which database, with its password masked: one URL among several environments is the usual mistake.
    if (isLatchkeyError(error)) {
      throw new LatchkeyError(error.code, `${error.message} Database: ${redactDatabaseUrl(url)}.`, { cause: error })
    }
    throw error
  }
}
