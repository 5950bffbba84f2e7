import { isWellFormedCredential, verifySecret } from './api-key.js'
import { LatchkeyError } from './errors.js'
import type { ApiKeyCredential } from './key-store.js'

/**
 * Checks an API key id and secret. Every well-formed id is looked up and every secret hashed and
 * compared, known id or not, and the status is checked only after the secret, so an unknown id, a
 * wrong secret and a disabled key cost the same work and raise the same `ERR_INVALID_CREDENTIALS`.
 */
export async function checkApiKey(
  findKey: (id: string) => Promise<ApiKeyCredential | undefined>,
  keyId: string,
  secret: string,
): Promise<ApiKeyCredential> {
  const wellFormed = isWellFormedCredential(keyId) && isWellFormedCredential(secret)
  const key = wellFormed ? await findKey(keyId) : undefined
  const secretMatches = verifySecret(secret, key?.secretHash)
  if (!wellFormed) throw refused('malformed_key')
  if (!key) throw refused('unknown_key')
  if (!secretMatches) throw refused('wrong_secret')
  assertUsable(key)
  return key
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
