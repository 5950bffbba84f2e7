import { isLatchkeyError } from '@latchkey/verifier'
import type { CliIo } from './cli-io.js'
import { parseDatabaseUrl } from './database-url.js'
import { type ClosableKeyStore, openKeyStore } from './open-key-store.js'
import { UsageError } from './usage-error.js'

/**
 * Opens the store at `databaseUrl` (relative paths against `io.cwd`, warnings on `io.stderr`), runs
 * `work` with it, and closes the store whatever happens.
 * A malformed URL is a {@link UsageError}: the user has to fix the command line or
 * `LATCHKEY_DATABASE_URL`, not the database.
 */
export async function withKeyStore<T>(
  databaseUrl: string,
  io: Pick<CliIo, 'cwd' | 'stderr'>,
  work: (store: ClosableKeyStore) => Promise<T>,
): Promise<T> {
  try {
    parseDatabaseUrl(databaseUrl)
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    throw new UsageError(error.message, undefined, { cause: error })
  }
  const store = await openKeyStore(databaseUrl, {
    cwd: io.cwd,
    onWarning: (warning) => io.stderr.write(`latchkey: warning: ${warning.message}\n`),
  })
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
