import type { FailureLimiterFactory } from '@latchkey/verifier'
import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible'
import { RedisConnection } from './redis-connection.js'
import type { RedisCounterOptions } from './redis-options.js'
import { withTimeout } from './with-timeout.js'

/** A {@link FailureLimiterFactory} (the verifier's `failureThrottle.limiter`) that can also be closed. */
export interface RedisFailureLimiter extends FailureLimiterFactory {
  /** The ioredis client the limiters use: the caller's, or the one made for `url`. */
  readonly client: Redis
  /** Ends the connection made for `url`; does nothing to a caller's `client`. */
  close(): Promise<void>
}

/**
 * Failure limiters for brute-force throttling in Redis, so that every instance shares each count.
 * While Redis cannot be reached or does not answer within `timeout`, each instance counts in its own
 * memory (rate-limiter-flexible's insurance limiter) rather than not at all, as with Postgres.
 *
 * To share one connection with the rate limits: `redisFailureLimiter({ client: counter.client })`.
 */
export function redisFailureLimiter(options: RedisCounterOptions): RedisFailureLimiter {
  const connection = new RedisConnection(options)
  const { timeout } = connection
  const late = () => new Error(`Redis and the in-memory insurance did not answer within ${timeout} ms.`)
  const factory: FailureLimiterFactory = (policy) => {
    const limiter = new RateLimiterRedis({
      storeClient: connection.client,
      keyPrefix: connection.keyPrefix(policy.keyPrefix),
      points: policy.points,
      duration: policy.duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: policy.points, duration: policy.duration }),
    })
    /** `operation` on the shared limiter once a connection being made is ready, within `timeout`. */
    const call = <T>(operation: () => Promise<T>): Promise<T> =>
      withTimeout(connection.settled().then(operation), timeout, late)
    return {
      penalty: (key, points) => call(() => limiter.penalty(key, points)),
      get: (key) => call(() => limiter.get(key)),
      block: (key, seconds) => call(() => limiter.block(key, seconds)),
      delete: (key) => call(() => limiter.delete(key)),
    }
  }
  return Object.assign(factory, { client: connection.client, close: () => connection.close() })
}
