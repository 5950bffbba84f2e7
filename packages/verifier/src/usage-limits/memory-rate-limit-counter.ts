// By its deep path, as the failure throttle imports its limiter: the package root requires Node built-ins.
import MemoryStorage from 'rate-limiter-flexible/lib/component/MemoryStorage/MemoryStorage.js'
import type { RateLimitCount, RateLimitCounter, RateLimitCounterFactory } from './rate-limit-counter.js'

/**
 * Counters in this process's memory: each instance counts alone. They are rate-limiter-flexible's
 * `MemoryStorage`, the fixed windows its `RateLimiterMemory` counts in, used directly so that a count is
 * made in the same turn (`consumeNow`): `RateLimiterMemory.consume` answers the same count through a
 * promise, which would take every limited key off the verifier's synchronous path. Its keys are the ids
 * of keys and accounts that authenticated, never attacker-chosen, so the unbounded memory store is
 * bounded by the number of keys in use; each window's record is dropped when it ends. Each counter has
 * a storage of its own, so its records are keyed by the counter key alone, without `keyPrefix`: the
 * caller's key is the same string on every request, its hash computed once, where a prefixed copy would
 * be a new string to hash on each.
 */
export const memoryRateLimitCounter: RateLimitCounterFactory = ({ points, duration }) => {
  const storage = new MemoryStorage()
  const consumeNow = (key: string, consumed = 1): RateLimitCount => {
    // As RateLimiterMemory.consume counts: the window starts with the first request, and ends `duration` s later.
    const count = storage.incrby(key, consumed, duration)
    return {
      consumedPoints: count.consumedPoints,
      remainingPoints: Math.max(points - count.consumedPoints, 0),
      msBeforeNext: count.msBeforeNext,
    }
  }
  const counter: RateLimitCounter = {
    consumeNow,
    consume(key, consumed) {
      const count = consumeNow(key, consumed)
      // rate-limiter-flexible's convention: rejected with the count when over.
      return count.consumedPoints > points ? Promise.reject(count) : Promise.resolve(count)
    },
  }
  return counter
}
