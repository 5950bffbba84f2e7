// The deep path has no types of its own. It is CommonJS (`module.exports = RateLimiterMemory`), which
// an ES module imports as its default export; the class is the one the package root declares.
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import { RateLimiterMemory } from 'rate-limiter-flexible'
  export default RateLimiterMemory
}
