import type { RateLimitCount, RateLimitCounter } from '@latchkey/verifier'

/** What one count came to: allowed (with its count), over the limit (with its count), or an `Error`. */
export type Outcome =
  | { readonly kind: 'allowed'; readonly count: RateLimitCount }
  | { readonly kind: 'over'; readonly count: RateLimitCount }
  | { readonly kind: 'error'; readonly error: Error }

/** Counts one request against `key` on `counter` and says how it went, and how long it took in ms. */
export async function settle(counter: RateLimitCounter, key: string): Promise<Outcome & { readonly ms: number }> {
  const started = performance.now()
  try {
    const count = await counter.consume(key)
    return { kind: 'allowed', count, ms: performance.now() - started }
  } catch (reason) {
    const ms = performance.now() - started
    if (reason instanceof Error) return { kind: 'error', error: reason, ms }
    return { kind: 'over', count: reason as RateLimitCount, ms }
  }
}

/** A policy prefix no other test uses, so that each test starts from empty windows. */
export const freshPrefix = (() => {
  let n = 0
  return (name: string) => `${name}_${process.pid}_${++n}`
})()
