import type { AccountStatus } from '@latchkey/verifier'
import { type ApiKeyInfo, apiKeyState, type CreatedApiKey } from '@latchkey/verifier/manage'
import { formatDate } from '../../format.js'

/**
 * A key for `--json`: fields listed one by one, so neither a secret nor a hash can ever slip into
 * the output. `status` is the stored one; `state` adds `expired` (see `apiKeyState`).
 */
export function keyJson(key: ApiKeyInfo, accountStatus: AccountStatus | undefined, now: Date) {
  return {
    id: key.id,
    name: key.name,
    description: key.description,
    accountId: key.accountId,
    status: key.status,
    state: apiKeyState(key, now),
    accountStatus: accountStatus ?? null,
    scopes: key.scopes,
    metadata: key.metadata,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt ?? null,
    replaces: key.replaces,
    replacedBy: key.replacedBy,
  }
}

/**
 * A key just created, rotated to or imported, for `--json`: as {@link keyJson} (its account is
 * enabled, or the manager would have refused), with the `secret` added when `withSecret`, for a
 * secret handed out on stdout rather than to a file.
 */
export function newKeyJson(key: ApiKeyInfo | CreatedApiKey, withSecret: boolean, now: Date) {
  const json = keyJson(key, 'enabled', now)
  return withSecret && 'secret' in key ? { ...json, secret: key.secret } : json
}

/** The STATUS cell: the key's state, and "(account disabled)" when that keeps a live key from working. */
export function displayStatus(key: ApiKeyInfo, accountStatus: AccountStatus | undefined, now: Date): string {
  const state = apiKeyState(key, now)
  const live = state === 'enabled' || state === 'disabled'
  return live && accountStatus === 'disabled' ? `${state} (account disabled)` : state
}

/** The EXPIRES cell. */
export function displayExpiry(key: ApiKeyInfo): string {
  return key.expiresAt === null ? 'never' : formatDate(key.expiresAt)
}

/** The LAST USED cell. */
export function displayLastUse(key: ApiKeyInfo): string {
  return key.lastUsedAt ? formatDate(key.lastUsedAt) : 'never'
}
