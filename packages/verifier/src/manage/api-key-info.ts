import type { ApiKeyRecord } from '../store/key-store.js'
import { creditsAt, type KeyCredits } from '../usage-limits/credits.js'
import type { RateLimit } from '../usage-limits/rate-limit.js'

/** A key as listed: everything but its secret hash, which has no use outside the store. */
export interface ApiKeyInfo extends Omit<ApiKeyRecord, 'secretHash' | 'rateLimits' | 'credits'> {
  /** The key's own rate limits, in order; `[]` when it has none (its account's apply on top). */
  readonly rateLimits: readonly RateLimit[]
  /**
   * The key's credits as of the manager's clock: a refill that fell due is applied, so `remaining`
   * is what the key may still spend and `refillsAt` the next refill. `null` when it is not metered.
   * A key made by rotation shows the balance it shares with the key it replaced.
   */
  readonly credits: KeyCredits | null
}

/** A newly created key. The secret is shown this once: only its hash is stored. */
export interface CreatedApiKey extends ApiKeyInfo {
  readonly secret: string
}

/** `record` without its secret hash, with its limits as of `now`. */
export function toApiKeyInfo({ secretHash: _, rateLimits, credits, ...info }: ApiKeyRecord, now: Date): ApiKeyInfo {
  return { ...info, rateLimits: rateLimits ?? [], credits: credits == null ? null : creditsAt(credits, now) }
}
