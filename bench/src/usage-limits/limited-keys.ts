import { MAX_RATE_LIMIT_COUNT, type RateLimit } from '@latchkey/verifier'
import type { KeyManager } from '@latchkey/verifier/manage'

/** A key's id and secret, as its `Authorization: Basic` is built from. */
export interface BenchKey {
  readonly keyId: string
  readonly secret: string
}

/** Keys with usage limits, of an account of their own so that the fixture's key stays unlimited. */
export interface LimitedKeys {
  readonly accountId: string
  /** Limited by {@link benchRateLimit}: every request is counted, none is refused. */
  readonly rateLimited: BenchKey
  /** Metered with {@link benchCredits} credits, one spent per request. */
  readonly credits: BenchKey
}

/**
 * The rate-limit rows' limit: the largest count per the shortest window. At about 10,000 requests a
 * second it never trips, yet every request is counted, and a new window starts every second (the
 * answer carries the RateLimit fields of each).
 */
export const benchRateLimit: RateLimit = { count: MAX_RATE_LIMIT_COUNT, window: 1 }

/** The credits rows' starting balance: more than a 15-minute run can spend at any rate seen here. */
export const benchCredits = 1_000_000_000

/** Creates the account of the limited keys and its two keys, without account limits. */
export async function createLimitedKeys(manager: KeyManager): Promise<LimitedKeys> {
  const account = await manager.createAccount({ name: 'Bench, usage limits' })
  const rateLimited = await manager.createApiKey({
    accountId: account.id,
    scopes: ['read'],
    rateLimits: [benchRateLimit],
  })
  const credits = await manager.createApiKey({ accountId: account.id, scopes: ['read'], credits: benchCredits })
  return {
    accountId: account.id,
    rateLimited: { keyId: rateLimited.id, secret: rateLimited.secret },
    credits: { keyId: credits.id, secret: credits.secret },
  }
}
