import type { FailureReason } from '../errors.js'
import { invalidCredentials, invalidToken } from '../refusals.js'
import type { ApiKeyCredential } from '../store/key-store.js'
import { isIssuedSecretShape, isWellFormedCredential, verifySecret } from './api-key.js'
import type { VerifiedSecretCache } from './verified-secret-cache.js'

/**
 * Checks an API key id and secret. Every well-formed id is looked up and every secret hashed and
 * compared, known id or not, and the status is checked only after the secret, so an unknown id, a
 * wrong secret and a disabled key cost the same work and raise the same `ERR_INVALID_CREDENTIALS`.
 * `findKey` must cost the same for ids that exist and ids that do not (`KeyLookup.findPresented`).
 * A secret that `verified` remembers as matching the key's stored hash is not hashed again. `now`
 * (ms since the epoch) is the instant a key's `expiresAt` is compared with.
 */
export async function checkApiKey(
  findKey: (id: string) => Promise<ApiKeyCredential | undefined>,
  keyId: string,
  secret: string,
  verified?: VerifiedSecretCache,
  now: () => number = Date.now,
): Promise<ApiKeyCredential> {
  const wellFormed = isWellFormedCredential(keyId) && isWellFormedCredential(secret) && isIssuedSecretShape(secret)
  const key = wellFormed ? await findKey(keyId) : undefined
  const remembered = key !== undefined && verified?.matches(keyId, secret, key.secretHash) === true
  const secretMatches = remembered || verifySecret(secret, key?.secretHash)
  if (!wellFormed) throw invalidCredentials('malformed_key')
  if (!key) throw invalidCredentials('unknown_key')
  if (!secretMatches) throw invalidCredentials('wrong_secret')
  if (!remembered) verified?.remember(keyId, secret, key.secretHash)
  assertUsable(key, now)
  return key
}

/**
 * Whether the key and its account are enabled and the key has not expired by `now()` (ms since the
 * epoch): {@link assertUsable} passes. The clock is read only for a key that expires.
 */
export function isUsable(key: ApiKeyCredential, now: () => number): boolean {
  return unusableReason(key, now) === undefined
}

/**
 * Throws `ERR_INVALID_CREDENTIALS` (or, for a token, `ERR_INVALID_TOKEN`) unless the key and its
 * account are enabled and the key has not expired by `now()` (ms since the epoch). An expired key is
 * refused exactly as a revoked one; only the audit event's reason tells them apart.
 */
export function assertUsable(
  key: ApiKeyCredential,
  now: () => number,
  code: 'ERR_INVALID_CREDENTIALS' | 'ERR_INVALID_TOKEN' = 'ERR_INVALID_CREDENTIALS',
): void {
  const reason = unusableReason(key, now)
  if (reason === undefined) return
  throw code === 'ERR_INVALID_TOKEN' ? invalidToken(reason) : invalidCredentials(reason)
}

function unusableReason(key: ApiKeyCredential, now: () => number): FailureReason | undefined {
  if (key.status === 'revoked') return 'key_revoked'
  if (key.status !== 'enabled') return 'key_disabled'
  if (key.expiresAt && now() >= key.expiresAt.getTime()) return 'key_expired'
  return key.accountStatus !== 'enabled' ? 'account_disabled' : undefined
}
