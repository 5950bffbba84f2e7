import { LatchkeyError } from '../errors.js'
import { type CreditRefill, MAX_CREDITS } from '../usage-limits/credits.js'
import {
  formatRateLimit,
  isRateLimit,
  MAX_RATE_LIMIT_COUNT,
  MAX_RATE_LIMIT_WINDOW,
  MAX_RATE_LIMITS,
  type RateLimit,
} from '../usage-limits/rate-limit.js'

function invalid(message: string): LatchkeyError {
  return new LatchkeyError('ERR_INVALID_ARGUMENT', message)
}

/**
 * Rate limits of a key or an account: each a valid `RateLimit`, at most {@link MAX_RATE_LIMITS},
 * no two with the same window. Returns plain copies, in the order given.
 *
 * @param whose `key` or `account`, for the message.
 */
export function checkRateLimits(limits: readonly RateLimit[], whose: 'key' | 'account'): RateLimit[] {
  if (!Array.isArray(limits)) throw invalid('Rate limits must be an array of { count, window } objects.')
  const bad = limits.find((limit) => !isRateLimit(limit))
  if (bad !== undefined) {
    throw invalid(
      `A rate limit must be a whole count from 1 to ${MAX_RATE_LIMIT_COUNT} per a whole window of 1 to ${MAX_RATE_LIMIT_WINDOW} seconds (31 days).`,
    )
  }
  if (limits.length > MAX_RATE_LIMITS) {
    throw invalid(
      `An ${whose === 'key' ? 'API key' : 'account'} may have at most ${MAX_RATE_LIMITS} rate limits, not ${limits.length}.`,
    )
  }
  const copies = limits.map(({ count, window }) => ({ count, window }))
  const seen = new Map<number, RateLimit>()
  for (const limit of copies) {
    const other = seen.get(limit.window)
    // Two counts for one window: only the smaller could ever answer, so the larger is surely a mistake.
    if (other !== undefined) {
      throw invalid(
        `Rate limits ${formatRateLimit(other)} and ${formatRateLimit(limit)} have the same window; only the smaller count would ever apply, so keep one.`,
      )
    }
    seen.set(limit.window, limit)
  }
  return copies
}

/** A number of credits to set: a whole number from 0 to {@link MAX_CREDITS}. */
export function checkCredits(credits: number): number {
  if (!Number.isSafeInteger(credits) || credits < 0 || credits > MAX_CREDITS) {
    throw invalid(`Credits must be a whole number from 0 to ${MAX_CREDITS}, not ${String(credits)}.`)
  }
  return credits
}

/** A refill: a whole `amount` from 1 to {@link MAX_CREDITS} every `day` or `month`. Returns a plain copy. */
export function checkRefill(refill: CreditRefill): CreditRefill {
  const { amount, interval } = (typeof refill === 'object' && refill !== null ? refill : {}) as Partial<CreditRefill>
  if (!Number.isSafeInteger(amount) || (amount as number) < 1 || (amount as number) > MAX_CREDITS) {
    throw invalid(`A refill's amount must be a whole number from 1 to ${MAX_CREDITS}.`)
  }
  if (interval !== 'day' && interval !== 'month') throw invalid(`A refill's interval must be "day" or "month".`)
  return { amount: amount as number, interval }
}
