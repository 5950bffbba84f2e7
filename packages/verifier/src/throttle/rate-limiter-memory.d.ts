// The deep path has no types of its own. It is CommonJS (`module.exports = RateLimiterMemory`), which
// an ES module imports as its default export; the class is the one the package root declares.
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import { RateLimiterMemory } from 'rate-limiter-flexible'
  export default RateLimiterMemory
}

// rate-limiter-flexible's fixed-window store, which RateLimiterMemory counts in (CommonJS, untyped).
declare module 'rate-limiter-flexible/lib/component/MemoryStorage/MemoryStorage.js' {
  export default class MemoryStorage {
    /** Adds `value` to `key`'s count, starting a window of `durationSec` if none runs. */
    incrby(
      key: string,
      value: number,
      durationSec: number,
    ): { readonly consumedPoints: number; readonly msBeforeNext: number }
  }
}
