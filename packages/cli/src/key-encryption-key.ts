import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { KeyEncryptionKey } from '@latchkey/verifier/manage'
import { UsageError } from './usage-error.js'

/** The environment variables a key-encryption key is read from, the value itself or a file holding it. */
export const KEY_ENCRYPTION_KEY_VARIABLES = {
  current: ['LATCHKEY_KEY_ENCRYPTION_KEY', 'LATCHKEY_KEY_ENCRYPTION_KEY_FILE'],
  previous: ['LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEY', 'LATCHKEY_PREVIOUS_KEY_ENCRYPTION_KEY_FILE'],
} as const

/**
 * The key-encryption key the environment names, or `undefined` when it names none:
 * `LATCHKEY_KEY_ENCRYPTION_KEY` holds 32 bytes in base64 (`openssl rand -base64 32`), or
 * `LATCHKEY_KEY_ENCRYPTION_KEY_FILE` the path of a file holding them, as base64 text or as the 32
 * raw bytes. `which: 'previous'` reads the `LATCHKEY_PREVIOUS_…` pair, for a change of key. Throws
 * a one-line error, never showing the key, when a variable is set to something else.
 */
export function keyEncryptionKeyFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  which: keyof typeof KEY_ENCRYPTION_KEY_VARIABLES = 'current',
): KeyEncryptionKey | undefined {
  const [valueName, fileName] = KEY_ENCRYPTION_KEY_VARIABLES[which]
  const value = env[valueName]
  const file = env[fileName]
  if (value && file) throw new UsageError(`Set ${valueName} or ${fileName}, not both.`, undefined)
  if (value) return new KeyEncryptionKey(decode(Buffer.from(value.trim()), valueName))
  if (file) return new KeyEncryptionKey(decode(readKeyFile(resolve(cwd, file), fileName), fileName))
  return undefined
}

function readKeyFile(path: string, name: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new UsageError(
      `${name} names ${path}, which cannot be read (${(error as NodeJS.ErrnoException).code}).`,
      undefined,
    )
  }
}

/** 32 raw bytes as they are, else base64 (or base64url) text of 32 bytes. */
function decode(bytes: Buffer, name: string): Uint8Array {
  if (bytes.length === 32) return new Uint8Array(bytes)
  const text = bytes.toString('utf8').trim()
  const decoded = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0)
  if (decoded.length !== 32) {
    throw new UsageError(`${name} must hold 32 random bytes, e.g. from "openssl rand -base64 32".`, undefined)
  }
  return new Uint8Array(decoded)
}
