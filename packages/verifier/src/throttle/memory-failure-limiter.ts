// rate-limiter-flexible's root index requires every backend, `cluster` among them, which would put a
// Node built-in in a core that must bundle for edge runtimes. Its memory limiter and what it requires
// (RateLimiterAbstract, MemoryStorage, RateLimiterRes) are plain JavaScript, so it is imported by its
// deep path, typed in `rate-limiter-memory.d.ts`. Shared backends stay in their own packages.
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory.js'
import { LruMap } from 'toad-cache'
import type { FailureLimiter, FailureLimiterFactory } from '../store/failure-limiter.js'

/**
 * In-process limiters, each holding at most `capacity` keys: when full, the key written longest ago
 * is forgotten. rate-limiter-flexible's memory store is unbounded, and keys are attacker-chosen.
 */
export function memoryFailureLimiter(capacity: number): FailureLimiterFactory {
  return (options) => {
    const limiter = new RateLimiterMemory({ ...options })
    // Keys by when they were last written: writing one moves it last, and a full set forgets the first.
    const written = new LruMap<true>(capacity)
    const touch = (key: string): void => {
      if (!written.items.has(key) && written.size >= capacity) {
        const oldest = (written.first as { key: string } | null)?.key
        if (oldest !== undefined) {
          written.delete(oldest)
          void limiter.delete(oldest)
        }
      }
      written.set(key, true)
    }
    const bounded: FailureLimiter = {
      penalty(key, points = 1) {
        touch(key)
        return limiter.penalty(key, points)
      },
      get: (key) => limiter.get(key),
      block(key, secDuration) {
        touch(key)
        return limiter.block(key, secDuration)
      },
      delete(key) {
        written.delete(key)
        return limiter.delete(key)
      },
      // Every count starts with `penalty` or `block`, which note the key; forgetting it deletes the count.
      mayHaveCount: (key) => written.items.has(key),
      holdsNone: () => written.size === 0,
    }
    return bounded
  }
}
