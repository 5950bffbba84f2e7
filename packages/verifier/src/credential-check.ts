import { isWellFormedCredential, verifySecret } from './api-key.js'
import { LatchkeyError } from './errors.js'
import type { ApiKeyCredential } from './key-store.js'
import type { VerifiedSecretCache } from './verified-secret-cache.js'

/**
 * Checks an API key id and secret. Every well-formed id is looked up and every secret hashed and
 * compared, known id or not, and the status is checked only after the secret, so an unknown id, a
 * wrong secret and a disabled key cost the same work and raise the same `ERR_INVALID_CREDENTIALS`.
 * `findKey` must cost the same for ids that exist and ids that do not (`KeyLookup.findPresented`).
 * A secret that `verified` remembers as matching the key's stored hash is not hashed again.
 */
export async function checkApiKey(
  findKey: (id: string) => Promise<ApiKeyCredential | undefined>,
  keyId: string,
  secret: string,
  verified?: VerifiedSecretCache,
): Promise<ApiKeyCredential> {
  const wellFormed = isWellFormedCredential(keyId) && isWellFormedCredential(secret)
  const key = wellFormed ? await findKey(keyId) : undefined
  const remembered = key !== undefined && verified?.matches(keyId, secret, key.secretHash) === true
  const secretMatches = remembered || verifySecret(secret, key?.secretHash)
  if (!wellFormed) throw refused('malformed_key')
  if (!key) throw refused('unknown_key')
  if (!secretMatches) throw refused('wrong_secret')
  if (!remembered) verified?.remember(keyId, secret, key.secretHash)
  assertUsable(key)
  return key
}

/** Whether the key and its account are enabled: {@link assertUsable} passes. */
export function isUsable(key: ApiKeyCredential): boolean {
  return key.status === 'enabled' && key.accountStatus === 'enabled'
}

/** Throws `ERR_INVALID_CREDENTIALS` unless the key and its account are enabled. */
export function assertUsable(
  key: ApiKeyCredential,
  code: 'ERR_INVALID_CREDENTIALS' | 'ERR_INVALID_TOKEN' = 'ERR_INVALID_CREDENTIALS',
): void {
  const reason =
    key.status === 'revoked'
      ? 'key_revoked'
      : key.status !== 'enabled'
        ? 'key_disabled'
        : key.accountStatus !== 'enabled'
          ? 'account_disabled'
          : undefined
  if (reason === undefined) return
  throw code === 'ERR_INVALID_TOKEN'
    ? new LatchkeyError(code, 'The access token is not valid.', { reason })
    : new LatchkeyError(code, 'The API key is not valid.', { reason })
}

function refused(reason: 'malformed_key' | 'unknown_key' | 'wrong_secret'): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_CREDENTIALS', 'The API key is not valid.', { reason })
}
