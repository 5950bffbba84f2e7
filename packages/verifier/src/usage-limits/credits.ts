/** How often a key's credits are refilled: at 00:00 UTC every day, or at 00:00 UTC on the 1st of every month. */
export type RefillInterval = 'day' | 'month'

/** A refill: at every {@link RefillInterval} boundary the key's credits are set to `amount` (not added to). */
export interface CreditRefill {
  /** The credits the key holds after a refill, 1 to {@link MAX_CREDITS}. */
  readonly amount: number
  readonly interval: RefillInterval
}

/**
 * A key's credits: how many more requests it may make (a route may cost more than one), and how
 * they are refilled. The store is the only authority on `remaining`: a record read from it says how
 * many were left when it was read, and {@link KeyStore.spendCredits} spends them atomically.
 */
export interface KeyCredits {
  /** Credits left, 0 to {@link MAX_CREDITS}, as of the read. */
  readonly remaining: number
  /** `null` when the credits are never refilled. */
  readonly refill: CreditRefill | null
  /** When the credits are next set to `refill.amount`; `null` without a refill. */
  readonly refillsAt: Date | null
}

/** What {@link KeyStore.spendCredits} did. */
export interface CreditSpend {
  /** `true` when the cost was taken; `false` when fewer credits than the cost were left (none taken). */
  readonly spent: boolean
  /** Credits left afterwards. */
  readonly remaining: number
  /** When the credits are next refilled; `null` without a refill. */
  readonly refillsAt: Date | null
}

/** The most credits a key may hold, and the largest refill: 1,000,000,000,000. */
export const MAX_CREDITS = 1_000_000_000_000

/** The largest cost one request may have: 1,000,000. */
export const MAX_CREDIT_COST = 1_000_000

/** Reads `N/day` or `N/month`; `undefined` when `text` is not of that form or out of range. */
export function parseRefill(text: string): CreditRefill | undefined {
  const match = /^([1-9]\d{0,12})\/(day|month)$/.exec(text)
  if (!match) return undefined
  const amount = Number(match[1])
  return amount <= MAX_CREDITS ? { amount, interval: match[2] as RefillInterval } : undefined
}

/** `refill` as {@link parseRefill} reads it. */
export function formatRefill(refill: CreditRefill): string {
  return `${refill.amount}/${refill.interval}`
}

/**
 * The first refill instant after `now`: the next 00:00 UTC for `day`, 00:00 UTC on the next 1st of a
 * month for `month`. A refill due at or before `now` has happened.
 */
export function nextRefill(interval: RefillInterval, now: Date): Date {
  const year = now.getUTCFullYear()
  const month = now.getUTCMonth()
  if (interval === 'day') return new Date(Date.UTC(year, month, now.getUTCDate() + 1))
  return new Date(Date.UTC(year, month + 1, 1))
}

/**
 * `credits` as they are at `now`: refilled when a refill was due at or before it (`remaining` set to
 * the refill's amount, `refillsAt` moved to the next instant after `now`), else as they are. Stores
 * apply it in the same atomic step as the spend.
 */
export function creditsAt(credits: KeyCredits, now: Date): KeyCredits {
  if (credits.refill === null || credits.refillsAt === null || credits.refillsAt > now) return credits
  return {
    remaining: credits.refill.amount,
    refill: credits.refill,
    refillsAt: nextRefill(credits.refill.interval, now),
  }
}
