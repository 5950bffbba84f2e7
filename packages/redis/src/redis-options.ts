import type { Redis } from 'ioredis'

/** Settings shared by {@link redisRateLimitCounter} and {@link redisFailureLimiter}. */
interface RedisCounterSettings {
  /**
   * Put before every Redis key the counters write, then `:` and the policy's own prefix, so that
   * Latchkey's keys stay apart from anything else in the database. Every instance sharing the counts
   * must use the same one. Default: `'latchkey:rl'`.
   */
  readonly keyPrefix?: string
  /**
   * Milliseconds one count may take, waiting for a connection included, before it rejects with an
   * `Error` (which the verifier answers 503 for a limited key). 1 to 60,000. Default: 1000.
   */
  readonly timeout?: number
}

/** Counters on a Redis server the package connects to, and disconnects from on `close()`. */
export interface RedisUrlOptions extends RedisCounterSettings {
  /**
   * Where Redis is: `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`, or `rediss://…` for TLS, e.g. from
   * `LATCHKEY_REDIS_URL`. No default. The client made for it fails fast and heals by itself: a count
   * while disconnected rejects at once instead of queueing, a count is never sent twice, a connection
   * attempt is abandoned after `timeout` (at least 1000 ms), and it reconnects by itself with a
   * backoff of 100 ms doubling up to 2000 ms.
   */
  readonly url: string
  readonly client?: never
}

/**
 * Counters on the caller's ioredis client, which `close()` leaves open. For the fail-fast behaviour of
 * {@link RedisUrlOptions.url}, create it with `enableOfflineQueue: false` and `maxRetriesPerRequest: 0`
 * (the counters refuse to send while it is not ready either way, and `timeout` bounds every count).
 */
export interface RedisClientOptions extends RedisCounterSettings {
  /** The caller's ioredis 5 client (not a Cluster); shared, so one connection may serve both counters. */
  readonly client: Redis
  readonly url?: never
}

/** Where the counters live: a `url` for a client of the package's own, or the caller's `client`. */
export type RedisCounterOptions = RedisUrlOptions | RedisClientOptions

/** {@link RedisCounterSettings.keyPrefix}'s default. */
export const DEFAULT_KEY_PREFIX = 'latchkey:rl'

/** {@link RedisCounterSettings.timeout}'s default, in milliseconds. */
export const DEFAULT_TIMEOUT = 1000
