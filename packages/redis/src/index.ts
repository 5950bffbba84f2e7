// Public API of @latchkey/redis. RedisConnection (redis-connection.ts) and withTimeout stay private.

export type { RedisFailureLimiter } from './failure-limiter.js'
export { redisFailureLimiter } from './failure-limiter.js'
export type { RedisRateLimitCounter } from './rate-limit-counter.js'
export { redisRateLimitCounter } from './rate-limit-counter.js'
export type { RedisClientOptions, RedisCounterOptions, RedisUrlOptions } from './redis-options.js'
export { DEFAULT_KEY_PREFIX, DEFAULT_TIMEOUT } from './redis-options.js'
