import { LatchkeyError } from '../errors.js'
import { isSealed, type KeyEncryptionKey, openPrivateKey } from '../signing-keys/key-encryption.js'
import type { KeyStore, SigningKeyRecord } from '../store/key-store.js'

/** Options of {@link resealSigningKeys}. */
export interface ResealSigningKeysOptions {
  /** The key-encryption key every private signing key is sealed with afterwards. Default: none, they are stored as plain JWKs. */
  readonly to?: KeyEncryptionKey | undefined
  /** The key-encryption key the keys are sealed with now, when it is not `to`. Default: none. */
  readonly from?: KeyEncryptionKey | undefined
}

/**
 * Seals every signing key of `store` (every state, expired ones included) with `options.to`: the one
 * step of changing the key-encryption key, or of encrypting a store that had none. Every key is
 * opened first, with `from` or `to`; when any does not open, nothing is written
 * (`ERR_KEY_ENCRYPTION`). Returns how many keys were written. Keys already sealed with `to` are
 * sealed anew too (a fresh nonce), which does no harm. Running verifiers keep the private keys they
 * opened in memory, and open the new ones with `to` once restarted with it.
 */
export async function resealSigningKeys(store: KeyStore, options: ResealSigningKeysOptions = {}): Promise<number> {
  if (!store.replaceSigningKeyPrivateKey) {
    throw new LatchkeyError('ERR_INVALID_ARGUMENT', 'This key store cannot replace a signing key; upgrade it.')
  }
  const records = await store.listSigningKeys()
  const opened = await Promise.all(records.map((record) => openWithEither(record, options)))
  for (const [index, record] of records.entries()) {
    const jwk = opened[index]
    if (!jwk) continue
    const privateJwk = options.to ? await options.to.seal(record.kid, jwk) : jwk
    await store.replaceSigningKeyPrivateKey(record.kid, privateJwk)
  }
  return records.length
}

async function openWithEither(record: SigningKeyRecord, { to, from }: ResealSigningKeysOptions) {
  if (!isSealed(record.privateJwk) || !from) return openPrivateKey(record.kid, record.privateJwk, to)
  try {
    return await openPrivateKey(record.kid, record.privateJwk, from)
  } catch (error) {
    if (!to) throw error
    return openPrivateKey(record.kid, record.privateJwk, to)
  }
}
