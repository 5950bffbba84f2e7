import type { ApiKeyRecord } from '../store/key-store.js'

/**
 * What a key's use would meet, as `keys list` shows it: `enabled`, `disabled`, `revoked`, or
 * `expired` (its `expiresAt` has come). The account's status is not part of it.
 */
export type ApiKeyState = 'enabled' | 'disabled' | 'revoked' | 'expired'

/**
 * The state of `key` at `now`. Revocation wins over expiry (it is final, expiry can be moved);
 * expiry wins over disabling, since enabling an expired key would not make it work. A key is expired
 * from its `expiresAt` on, as verifiers judge it.
 *
 * @param now The instant to judge at. Default: the current time.
 */
export function apiKeyState(key: Pick<ApiKeyRecord, 'status' | 'expiresAt'>, now: Date = new Date()): ApiKeyState {
  if (key.status === 'revoked') return 'revoked'
  if (key.expiresAt !== null && now.getTime() >= key.expiresAt.getTime()) return 'expired'
  return key.status
}
