/** How token requests are retried after a 5xx, a 429, a timeout or a network error. */
export interface RetryOptions {
  /** Retries after the first attempt; 0 turns retrying off. Default: 2. */
  readonly limit?: number
  /** Backoff base in ms: attempt n waits a random time in [0, base × 2ⁿ⁻¹] (full jitter). Default: 200. */
  readonly baseDelay?: number
  /** Longest single wait in ms, `Retry-After` included; a longer `Retry-After` ends the retries. Default: 30,000. */
  readonly maxDelay?: number
  /** Longest total time of all attempts and waits, in ms; no retry starts past it. Default: 30,000. */
  readonly maxElapsed?: number
}

/** {@link RetryOptions} with every default applied. */
export type RetryPolicy = Required<RetryOptions>

/** Fills in the defaults of {@link RetryOptions}. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return {
    limit: nonNegative('retry.limit', options.limit ?? 2),
    baseDelay: nonNegative('retry.baseDelay', options.baseDelay ?? 200),
    maxDelay: nonNegative('retry.maxDelay', options.maxDelay ?? 30_000),
    maxElapsed: nonNegative('retry.maxElapsed', options.maxElapsed ?? 30_000),
  }
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}.`)
  return value
}

/** Full-jitter exponential backoff before retry `attempt` (1-based), in ms. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelay, policy.baseDelay * 2 ** (attempt - 1))
  return Math.floor(random() * ceiling)
}

/**
 * The delay a `Retry-After` header asks for, in ms (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.
 * `undefined` when the header is absent or invalid, so the caller falls back to backoff (RFC 6585 §4).
 */
export function parseRetryAfter(value: string | null, wallTime: number): number | undefined {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // Only IMF-fixdate and the obsolete formats carry letters; a bare number with a sign or a dot is invalid.
  if (!/[A-Za-z]/.test(text)) return undefined
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - wallTime)
}
