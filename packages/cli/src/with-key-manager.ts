import { createKeyManager, type KeyManager } from '@latchkey/verifier/manage'
import type { CliIo } from './cli-io.js'
import { type KeyStoreAccess, withKeyStore } from './with-key-store.js'

/**
 * Opens the store at `databaseUrl`, runs `work` with a key manager over it, and closes the store
 * whatever happens (see {@link withKeyStore}).
 */
export function withKeyManager<T>(
  databaseUrl: string,
  io: Pick<CliIo, 'cwd' | 'stderr'>,
  work: (manager: KeyManager) => Promise<T>,
  access: KeyStoreAccess = {},
): Promise<T> {
  return withKeyStore(databaseUrl, io, (store) => work(createKeyManager(store)), access)
}
