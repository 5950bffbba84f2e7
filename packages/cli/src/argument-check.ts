import { isLatchkeyError, MemoryKeyStore } from '@latchkey/verifier'
import { createKeyManager, type KeyManager } from '@latchkey/verifier/manage'
import { UsageError } from './usage-error.js'

/**
 * Runs `call` on a key manager over an empty in-memory store, before the real store is opened, so
 * that the manager's own rules (name lengths, control characters, metadata size, importable ids and
 * secrets) judge the command line, with the manager's own messages, and a mistake costs no
 * database work, nor creates a database file. The manager checks every argument before it reads a
 * record, and this store holds none to be disabled, so an `ERR_INVALID_ARGUMENT` here is the
 * command line's: a {@link UsageError} pointing to `command`'s help. Anything else (the account
 * this store lacks) is left for the real call to find.
 */
export async function checkArguments(command: string, call: (manager: KeyManager) => Promise<unknown>): Promise<void> {
  try {
    await call(createKeyManager(new MemoryKeyStore()))
  } catch (error) {
    if (isLatchkeyError(error) && error.code === 'ERR_INVALID_ARGUMENT') {
      throw new UsageError(error.message, command, { cause: error })
    }
  }
}
