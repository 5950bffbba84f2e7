import { resolve } from 'node:path'
import { type Awaitable, isLatchkeyError, type KeyStore, LatchkeyError } from '@latchkey/verifier'
import { checkDatabaseFilePermissions, type DatabaseFileWarning } from './database-file-permissions.js'
import { parseDatabaseUrl, redactDatabaseUrl } from './database-url.js'

/** A key store its opener must close: it holds a file handle or connections. */
export type ClosableKeyStore = KeyStore & { close(): Awaitable<void> }

/** Options of {@link openKeyStore}. */
export interface OpenKeyStoreOptions {
  /** The directory relative `sqlite:` paths are resolved against. Default: `process.cwd()`. */
  readonly cwd?: string | undefined
  /**
   * Receives the warning for an SQLite file open to group or others, once per open. Default: one
   * `latchkey: warning: …` line on `process.stderr` (not `process.emitWarning`, which adds a second
   * line), so a server shows it in its log and nothing is written to stdout.
   */
  readonly onWarning?: ((warning: DatabaseFileWarning) => void) | undefined
}

/**
 * Opens the key store a database URL names (see {@link parseDatabaseUrl} for the forms): the one
 * way the CLI and the example servers open a store, so they always agree on what a URL means.
 * An SQLite file is created, with its schema and mode 0600, when it does not exist yet; its
 * directory must. An existing one open to group or others is opened with a warning (`onWarning`).
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
      return openSqlite(resolve(options.cwd ?? process.cwd(), location.filename), options.onWarning ?? writeWarning)
    case 'postgres':
      return openPostgres(location.url)
  }
}

async function openSqlite(filename: string, warn: (warning: DatabaseFileWarning) => void): Promise<ClosableKeyStore> {
  const { openSqliteKeyStore } = await import('@latchkey/store-sqlite')
  const store = openSqliteKeyStore(filename)
  // After opening, so a file the store has just created (0600) is never warned about.
  try {
    checkDatabaseFilePermissions(filename, warn)
  } catch (error) {
    store.close()
    throw error
  }
  return store
}

function writeWarning(warning: DatabaseFileWarning): void {
  process.stderr.write(`latchkey: warning: ${warning.message}\n`)
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
