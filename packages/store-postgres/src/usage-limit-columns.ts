import { isRateLimit, type KeyCredits, LatchkeyError, type RateLimit, type RefillInterval } from '@latchkey/verifier'

/** A balance's columns as {@link creditsOf} reads them: JSON numbers, the refill instant in ms since the epoch. */
export interface CreditsJson {
  remaining: number
  amount: number | null
  interval: RefillInterval | null
  refillsAt: number | null
}

/** The JSON object of the balance columns of key row `table` (see {@link CreditsJson}). */
export function balanceJson(table: string): string {
  // round, not floor: before PostgreSQL 14 extract() is float8, and a millisecond may come back as .9999.
  return `json_build_object('remaining', ${table}.credits_remaining, 'amount', ${table}.credits_refill_amount,
    'interval', ${table}.credits_refill_interval,
    'refillsAt', round(extract(epoch FROM ${table}.credits_refills_at) * 1000))`
}

/**
 * The credits key row `k` spends from, as one JSON value (`NULL` when it is not metered): its own
 * columns when it holds its balance, else those of the key it shares one with. Its own columns are
 * read from `k` itself, not by the subquery, so that an INSERT's or UPDATE's RETURNING sees the
 * values that statement wrote (a subquery sees the table as it was before the statement).
 */
export const creditsColumn = `CASE
  WHEN k.credits_balance_id IS NULL THEN NULL
  WHEN k.credits_balance_id = k.id THEN ${balanceJson('k')}
  ELSE (SELECT ${balanceJson('b')} FROM latchkey_api_keys AS b WHERE b.id = k.credits_balance_id)
END AS credits`

/** `credits` as {@link creditsColumn} reads them; `undefined` when the key is not metered. */
export function creditsOf(json: CreditsJson | null): KeyCredits | undefined {
  // A balance whose remaining column was cleared (NULL) is no balance.
  if (json === null || json.remaining === null) return undefined
  return {
    remaining: Number(json.remaining),
    refill:
      json.amount === null || json.interval === null ? null : { amount: Number(json.amount), interval: json.interval },
    refillsAt: json.refillsAt === null ? null : new Date(Number(json.refillsAt)),
  }
}

/** The balance columns' values for `credits`: remaining, refill amount, refill interval, refill instant. */
export function creditsValues(credits: KeyCredits | null | undefined): unknown[] {
  if (!credits) return [null, null, null, null]
  return [credits.remaining, credits.refill?.amount ?? null, credits.refill?.interval ?? null, credits.refillsAt]
}

/** Rate limits as a jsonb parameter: `[{"count":…,"window":…}]`, only those two fields. */
export function rateLimitsToJson(limits: readonly RateLimit[] | undefined): string {
  return JSON.stringify((limits ?? []).map(({ count, window }) => ({ count, window })))
}

/**
 * Rate limits as stored, checked: the column is written by anyone with SQL access, and a limit
 * misread as none would let a key through unlimited, so a malformed one fails the read (503).
 */
export function rateLimitsOf(value: unknown, owner: string): readonly RateLimit[] {
  if (!Array.isArray(value) || !value.every(isRateLimit)) {
    throw new LatchkeyError(
      'ERR_STORE_UNAVAILABLE',
      `The rate limits of ${owner} in Postgres are not a list of {"count", "window"} whole numbers in range; set them again through the key manager or the CLI.`,
    )
  }
  return value.map(({ count, window }) => ({ count, window }))
}

/** `{ rateLimits }` when there are any, else nothing: a record made without limits reads back without them. */
export function rateLimitsField(value: unknown, owner: string): { readonly rateLimits?: readonly RateLimit[] } {
  const limits = rateLimitsOf(value, owner)
  return limits.length > 0 ? { rateLimits: limits } : {}
}
