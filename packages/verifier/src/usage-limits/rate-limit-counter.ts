/**
 * A counter's state after a request was counted, as rate-limiter-flexible's `RateLimiterRes` reports it.
 */
export interface RateLimitCount {
  /** Requests counted in the current window, this one included. */
  readonly consumedPoints: number
  /** Requests left in the current window (0 when over). */
  readonly remainingPoints: number
  /** Milliseconds until the current window ends. */
  readonly msBeforeNext: number
}

/**
 * Keyed fixed-window counters: the part of the rate-limiter-flexible limiter API
 * (`RateLimiterAbstract.consume`) that rate limits use, so that its limiters (`RateLimiterMemory`,
 * `RateLimiterPostgres`, `RateLimiterRedis`…) can be passed as they are.
 */
export interface RateLimitCounter {
  /**
   * Counts `points` (default 1) against `key`, starting a window of the limiter's `duration` if none
   * runs. Resolves with the count when it is within the limiter's `points`; rejects with the
   * {@link RateLimitCount} when over (rate-limiter-flexible's convention), or with an `Error` when the
   * counter store failed, which the verifier answers with 503.
   */
  consume(key: string, points?: number): Promise<RateLimitCount>
  /**
   * The same count made at once, by a counter in this process's memory: the count whether over the
   * limiter's `points` or not (over when `consumedPoints` exceeds them). The verifier uses it, when every
   * counter of a request has it, to answer a limited key in the same turn. Never for a shared store.
   */
  consumeNow?(key: string, points?: number): RateLimitCount
}

/** What a {@link RateLimitCounterFactory} is asked for: rate-limiter-flexible's limiter options. */
export interface RateLimitCounterOptions {
  /** Keeps each policy's counters apart from each other and from anything else in a shared store. */
  readonly keyPrefix: string
  /** Requests allowed per window. */
  readonly points: number
  /** The window, in seconds. */
  readonly duration: number
}

/**
 * Makes the counters of one rate-limit policy (one count and window). For limits shared by several
 * instances, return a limiter on a shared store, e.g. `(options) => new RateLimiterRedis({
 * storeClient: redis, ...options })`; a key store may offer one ({@link KeyStore.createRateLimitCounter}).
 */
export type RateLimitCounterFactory = (options: RateLimitCounterOptions) => RateLimitCounter
