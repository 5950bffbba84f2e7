/** A counter's state as a limiter reports it; rate-limiter-flexible's `RateLimiterRes` is one. */
export interface FailureCount {
  /** What was counted in the current window: failures, or for a block a value above the limiter's `points`. */
  readonly consumedPoints: number
  /** Milliseconds until the window or the block ends; `-1` when it never does. */
  readonly msBeforeNext: number
}

/**
 * Keyed counters that expire: the part of the rate-limiter-flexible limiter API (`RateLimiterAbstract`)
 * that failure throttling uses, so any of its limiters (`RateLimiterMemory`, `RateLimiterPostgres`,
 * `RateLimiterRedis`…) can be passed as they are.
 */
export interface FailureLimiter {
  /** Adds `points` (default 1) to `key`'s count, starting a window of the limiter's `duration` if none runs. */
  penalty(key: string, points?: number): Promise<FailureCount>
  /** `key`'s count, or `null` when it has none or its window has ended. */
  get(key: string): Promise<FailureCount | null>
  /** Sets `key`'s count above the limiter's `points` for `secDuration` seconds. */
  block(key: string, secDuration: number): Promise<unknown>
  /** Forgets `key`; `true` when it had a count. */
  delete(key: string): Promise<boolean>
  /**
   * `false` only when `key` certainly has no count, known without a round trip. Optional: an
   * in-process limiter has it, so that a request with nothing on record skips the reads; without it
   * every request reads.
   */
  mayHaveCount?(key: string): boolean
  /**
   * `true` only when the limiter certainly holds no count for any key, known without a round trip.
   * Optional, like {@link FailureLimiter.mayHaveCount}: with it, a request while nothing at all is on
   * record skips even building its counter keys.
   */
  holdsNone?(): boolean
}

/** What a {@link FailureLimiterFactory} is asked for: rate-limiter-flexible's limiter options. */
export interface FailureLimiterOptions {
  /** Keeps the throttle's counters apart from each other and from anything else in a shared store. */
  readonly keyPrefix: string
  /** The count above which a key is blocked (used by `block`). */
  readonly points: number
  /** Seconds a count lives from its first point. */
  readonly duration: number
}

/**
 * Makes the limiters failure throttling counts in. For state shared by several instances, return a
 * limiter on a shared store, e.g. `(options) => new RateLimiterRedis({ storeClient: redis, ...options })`.
 */
export type FailureLimiterFactory = (options: FailureLimiterOptions) => FailureLimiter
