import { LatchkeyError } from '../errors.js'
import type { KeyStore } from '../store/key-store.js'
import { callStore } from '../store/store-call.js'
import type { RateLimitStatus } from './rate-limit-status.js'

/** What {@link spendRequestCredits} needs. Internal. */
export interface CreditCheckParts {
  readonly store: KeyStore
  /** Milliseconds a spend may take before the request fails closed with 503. */
  readonly storeTimeout: number
  /** Milliseconds since the epoch: the instant refills are due by. */
  readonly now: () => number
}

/**
 * Spends `cost` credits of key `keyId` in the store, the only authority on them. Throws
 * `ERR_CREDITS_EXHAUSTED` when fewer are left (with `retryAfter` until the next refill, when there
 * is one), and `ERR_STORE_UNAVAILABLE` when the store fails, is slow, or cannot spend credits at all:
 * a metered key is never served unmetered. A store that says the key has no credits (they were
 * removed since the key was read) serves it.
 */
export async function spendRequestCredits(
  { store, storeTimeout, now }: CreditCheckParts,
  keyId: string,
  cost: number,
  rateLimits: readonly RateLimitStatus[] | undefined,
): Promise<void> {
  if (!store.spendCredits) {
    throw new LatchkeyError(
      'ERR_STORE_UNAVAILABLE',
      'The key store cannot spend credits: use a store with spendCredits, or remove the credits of the key.',
    )
  }
  const at = now()
  const spend = await callStore(storeTimeout, () => store.spendCredits?.(keyId, cost, new Date(at)))
  if (spend === undefined || spend.spent) return
  const refillsIn =
    spend.refillsAt === null ? undefined : Math.max(1, Math.ceil((spend.refillsAt.getTime() - at) / 1000))
  throw new LatchkeyError('ERR_CREDITS_EXHAUSTED', 'The API key has too few credits left for this request.', {
    reason: 'credits_exhausted',
    ...(refillsIn === undefined ? {} : { retryAfter: refillsIn }),
    ...(rateLimits === undefined ? {} : { rateLimits }),
  })
}
