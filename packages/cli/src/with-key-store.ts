import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { isLatchkeyError } from '@latchkey/verifier'
import type { CliIo } from './cli-io.js'
import { type DatabaseLocation, parseDatabaseUrl } from './database-url.js'
import { printable } from './format.js'
import { type ClosableKeyStore, openKeyStore } from './open-key-store.js'
import { UsageError } from './usage-error.js'

/** How a command uses the store, for {@link withKeyStore}. */
export interface KeyStoreAccess {
  /**
   * Whether the command may create the SQLite file when there is none, as `accounts create` does: it
   * is what a new store is for. Every other command reads or changes what the store holds, so a
   * missing file is refused rather than created empty: a mistyped path would otherwise pass for a
   * store with nothing in it. Default: `false`.
   */
  readonly create?: boolean | undefined
}

/**
 * Opens the store at `databaseUrl` (relative paths against `io.cwd`, warnings on `io.stderr`), runs
 * `work` with it, and closes the store whatever happens.
 * A malformed URL is a {@link UsageError}: the user has to fix the command line or
 * `LATCHKEY_DATABASE_URL`, not the database. A missing SQLite file is an error naming the path,
 * unless `access.create` allows creating it; then one line on `io.stderr` says it was created.
 */
export async function withKeyStore<T>(
  databaseUrl: string,
  io: Pick<CliIo, 'cwd' | 'stderr'>,
  work: (store: ClosableKeyStore) => Promise<T>,
  access: KeyStoreAccess = {},
): Promise<T> {
  let location: DatabaseLocation
  try {
    location = parseDatabaseUrl(databaseUrl)
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    throw new UsageError(error.message, undefined, { cause: error })
  }
  // Resolved as openKeyStore resolves it, given the same cwd.
  const missing = location.kind === 'sqlite' ? missingFile(resolve(io.cwd, location.filename)) : undefined
  if (missing !== undefined && !access.create) {
    throw new Error(
      `No database at ${missing}: create one with "latchkey accounts create --name NAME", or check --database and LATCHKEY_DATABASE_URL.`,
    )
  }
  const store = await openKeyStore(databaseUrl, {
    cwd: io.cwd,
    onWarning: (warning) => io.stderr.write(`latchkey: warning: ${warning.message}\n`),
  })
  if (missing !== undefined) io.stderr.write(`latchkey: created a new database at ${printable(missing)}\n`)
  let result: T
  try {
    result = await work(store)
  } catch (error) {
    try {
      await store.close()
    } catch {
      // The error that stopped the work is the one to report.
    }
    throw error
  }
  await store.close()
  return result
}

/** `path` when nothing is there, else `undefined`. */
function missingFile(path: string): string | undefined {
  return statSync(path, { throwIfNoEntry: false }) === undefined ? path : undefined
}
