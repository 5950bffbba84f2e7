import { type AccountStatus, formatRateLimit, formatRefill, type RateLimit } from '@latchkey/verifier'
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
    rateLimits: key.rateLimits.map(({ count, window }) => ({ count, window })),
    credits: key.credits && {
      remaining: key.credits.remaining,
      refill: key.credits.refill && { amount: key.credits.refill.amount, interval: key.credits.refill.interval },
      refillsAt: key.credits.refillsAt,
    },
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

/** Rate limits as the options take them, `10/1s 1000/1h`; `none` when there are none. */
export function displayRateLimits(limits: readonly RateLimit[] | undefined): string {
  return limits && limits.length > 0 ? limits.map(formatRateLimit).join(' ') : 'none'
}

/** The CREDITS cell: how many are left, or that the key is not metered. */
export function displayCredits(key: ApiKeyInfo): string {
  return key.credits === null ? 'not metered' : `${key.credits.remaining} left`
}

/** The REFILL cell: `1000/day, next at 2030-01-16T00:00:00Z`, or `none`. */
export function displayRefill(key: ApiKeyInfo): string {
  const { refill, refillsAt } = key.credits ?? {}
  if (!refill) return 'none'
  return refillsAt ? `${formatRefill(refill)}, next at ${formatDate(refillsAt)}` : formatRefill(refill)
}

/** The compact LIMITS cell of a list: `10/1s 1000/1h, 42 credits`; empty without limits. */
export function displayLimits(key: ApiKeyInfo): string {
  const parts = key.rateLimits.length > 0 ? [key.rateLimits.map(formatRateLimit).join(' ')] : []
  if (key.credits !== null) parts.push(`${key.credits.remaining} credits`)
  return parts.join(', ')
}
