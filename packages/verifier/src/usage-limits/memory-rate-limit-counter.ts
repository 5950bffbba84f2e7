// By its deep path, as the failure throttle imports it: the package root requires Node built-ins.
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js'
import type { RateLimitCounterFactory } from './rate-limit-counter.js'

/**
 * Counters in this process's memory, rate-limiter-flexible's `RateLimiterMemory`: each instance counts
 * alone. Its keys are the ids of keys and accounts that authenticated, never attacker-chosen, so the
 * unbounded memory store is bounded by the number of keys in use.
 */
export const memoryRateLimitCounter: RateLimitCounterFactory = (options) => new RateLimiterMemory({ ...options })
