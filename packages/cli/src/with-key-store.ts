import { isLatchkeyError } from '@latchkey/verifier'
import { parseDatabaseUrl } from './database-url.js'
import { type ClosableKeyStore, openKeyStore } from './open-key-store.js'
import { UsageError } from './usage-error.js'

/**
 * Opens the store at `databaseUrl`, runs `work` with it, and closes the store whatever happens.
 * A malformed URL is a {@link UsageError}: the user has to fix the command line or
 * `LATCHKEY_DATABASE_URL`, not the database.
 */
export async function withKeyStore<T>(
  databaseUrl: string,
  cwd: string,
  work: (store: ClosableKeyStore) => Promise<T>,
): Promise<T> {
  try {
    parseDatabaseUrl(databaseUrl)
  } catch (error) {
    if (!isLatchkeyError(error)) throw error
    throw new UsageError(error.message, undefined, { cause: error })
  }
  const store = await openKeyStore(databaseUrl, { cwd })
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
