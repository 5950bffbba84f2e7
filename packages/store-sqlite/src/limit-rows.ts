import { isRateLimit, type KeyCredits, LatchkeyError, type RateLimit, type RefillInterval } from '@latchkey/verifier'

/** The columns of `credit_balances` a key's read carries (NULL all through for a key without credits). */
export interface CreditColumns {
  credits_remaining: number | null
  refill_amount: number | null
  refill_interval: string | null
  refills_at: number | null
}

/** A row of `credit_balances`, without its id. */
export interface CreditBalanceRow {
  remaining: number
  refill_amount: number | null
  refill_interval: string | null
  refills_at: number | null
}

/** What a read of a key takes of its balance `c`, under the names of {@link CreditColumns}. */
export const creditColumns = 'c.remaining AS credits_remaining, c.refill_amount, c.refill_interval, c.refills_at'

/** Rate limits as the `rate_limits` columns hold them: a JSON array, `NULL` for none. */
export function rateLimitsToText(limits: readonly RateLimit[] | undefined): string | null {
  if (!limits || limits.length === 0) return null
  return JSON.stringify(limits.map(({ count, window }) => ({ count, window })))
}

/**
 * The rate limits a `rate_limits` column holds, to spread into a record: nothing for none, so that a
 * record without limits reads back exactly as it was inserted.
 *
 * @throws {LatchkeyError} `ERR_STORE_UNAVAILABLE` when the column holds something else than valid
 *   limits: a key must never be read as unlimited because its limits were mangled.
 */
export function textToRateLimits(text: string | null): { rateLimits?: RateLimit[] } {
  if (text === null) return {}
  const limits: unknown = JSON.parse(text)
  if (!Array.isArray(limits) || !limits.every(isRateLimit)) {
    throw new LatchkeyError(
      'ERR_STORE_UNAVAILABLE',
      'The SQLite database holds rate limits that are not valid; set them again with `keys update` or `accounts update`.',
    )
  }
  return { rateLimits: limits.map(({ count, window }) => ({ count, window })) }
}

export function creditsToRow(credits: KeyCredits): CreditBalanceRow {
  return {
    remaining: credits.remaining,
    refill_amount: credits.refill?.amount ?? null,
    refill_interval: credits.refill?.interval ?? null,
    refills_at: credits.refill ? (credits.refillsAt?.getTime() ?? null) : null,
  }
}

/** The credits a key's read carries, to spread into a record: nothing for a key without credits. */
export function rowToCredits(row: CreditColumns): { credits?: KeyCredits } {
  if (row.credits_remaining === null) return {}
  const refill =
    row.refill_amount === null ? null : { amount: row.refill_amount, interval: row.refill_interval as RefillInterval }
  return {
    credits: {
      remaining: row.credits_remaining,
      refill,
      refillsAt: refill === null || row.refills_at === null ? null : new Date(row.refills_at),
    },
  }
}
