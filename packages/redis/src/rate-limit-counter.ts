import type { RateLimitCounterFactory } from '@latchkey/verifier'
import type { Redis } from 'ioredis'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import { RedisConnection } from './redis-connection.js'
import type { RedisCounterOptions } from './redis-options.js'

/**
 * A {@link RateLimitCounterFactory} (pass it as the verifier's `rateLimits.counter`) that can also be
 * closed: it owns the Redis connection when it was given a `url`.
 */
export interface RedisRateLimitCounter extends RateLimitCounterFactory {
  /** The ioredis client the counters use: the caller's, or the one made for `url`; pass it on to share it. */
  readonly client: Redis
  /**
   * Ends the connection made for `url`, waiting for replies under way; counts after it reject. Does
   * nothing to a caller's `client`, which the caller ends. Call it at shutdown, after the server stops.
   */
  close(): Promise<void>
}

/**
 * Rate-limit windows in Redis, shared by every instance on the same server: rate-limiter-flexible's
 * `RateLimiterRedis`, one atomic round trip (a Lua script) per request per limit. A key over its
 * limit is then answered from memory until its window ends, with no round trip.
 *
 * Fails closed and heals: while Redis cannot be reached, or does not answer within `timeout`, every
 * count rejects with an `Error` (the verifier answers 503 for limited keys; keys without limits never
 * count), and counting resumes by itself once the client has reconnected.
 *
 * ```ts
 * const counter = redisRateLimitCounter({ url: process.env.LATCHKEY_REDIS_URL ?? 'redis://127.0.0.1:6379' })
 * const verifier = createVerifier({ store, rateLimits: { counter } })
 * // at shutdown
 * await counter.close()
 * ```
 */
export function redisRateLimitCounter(options: RedisCounterOptions): RedisRateLimitCounter {
  const connection = new RedisConnection(options)
  const factory: RateLimitCounterFactory = (policy) => {
    const limiter = new RateLimiterRedis({
      storeClient: connection.client,
      keyPrefix: connection.keyPrefix(policy.keyPrefix),
      points: policy.points,
      duration: policy.duration,
      // A command sent while the client is not ready fails at once, even on a caller's client.
      rejectIfRedisNotReady: true,
      // Once a key is over, it stays over until its window ends: refuse it from memory until then
      // (rate-limiter-flexible keeps it for the window's remaining milliseconds, as Redis reported them).
      inMemoryBlockOnConsumed: policy.points + 1,
    })
    return { consume: (key, points) => connection.run(() => limiter.consume(key, points)) }
  }
  return Object.assign(factory, { client: connection.client, close: () => connection.close() })
}
