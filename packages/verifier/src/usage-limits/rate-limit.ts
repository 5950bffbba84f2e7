/**
 * A rate limit: at most `count` requests per `window` seconds. A key and its account may each have
 * several (`10/1s` and `1000/1h` together); every authenticated API request (Basic or Bearer) counts
 * one against each of its key's and its account's limits. Windows are fixed: each starts with the
 * first request counted in it, as rate-limiter-flexible counts.
 */
export interface RateLimit {
  /** Requests allowed per window, 1 to {@link MAX_RATE_LIMIT_COUNT}. */
  readonly count: number
  /** The window, in whole seconds, 1 to {@link MAX_RATE_LIMIT_WINDOW}. */
  readonly window: number
}

/** The largest `count` of a {@link RateLimit}: 1,000,000,000. */
export const MAX_RATE_LIMIT_COUNT = 1_000_000_000

/** The longest `window` of a {@link RateLimit}, in seconds: 31 days. */
export const MAX_RATE_LIMIT_WINDOW = 31 * 86_400

/** The most rate limits one key, or one account, may have: 8. */
export const MAX_RATE_LIMITS = 8

const units: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 }

/**
 * Reads `COUNT/WINDOW`: a count, a slash, and a window of a whole number and a unit, `s`, `m`, `h` or
 * `d` (`10/1s`, `1000/1h`, `5/10s`); the number may be left out for one (`100/m`). `undefined` when
 * `text` is not of that form or out of range.
 */
export function parseRateLimit(text: string): RateLimit | undefined {
  const match = /^([1-9]\d{0,9})\/([1-9]\d{0,7})?([smhd])$/.exec(text)
  if (!match) return undefined
  const count = Number(match[1])
  const window = Number(match[2] ?? '1') * (units[match[3] as string] as number)
  return isRateLimit({ count, window }) ? { count, window } : undefined
}

/** `limit` as {@link parseRateLimit} reads it, in the largest unit that divides its window (`1000/1h`). */
export function formatRateLimit(limit: RateLimit): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    const size = units[unit] as number
    if (limit.window % size === 0) return `${limit.count}/${limit.window / size}${unit}`
  }
  return `${limit.count}/${limit.window}s`
}

/** Whether `value` is a valid {@link RateLimit}: whole numbers in range. */
export function isRateLimit(value: unknown): value is RateLimit {
  if (typeof value !== 'object' || value === null) return false
  const { count, window } = value as Record<string, unknown>
  return (
    Number.isSafeInteger(count) &&
    (count as number) >= 1 &&
    (count as number) <= MAX_RATE_LIMIT_COUNT &&
    Number.isSafeInteger(window) &&
    (window as number) >= 1 &&
    (window as number) <= MAX_RATE_LIMIT_WINDOW
  )
}
