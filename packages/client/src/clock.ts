/**
 * Time as the client sees it. Injectable, so tests run expiry and backoff without sleeping.
 */
export interface Clock {
  /** Milliseconds on a monotonic clock (wall-clock jumps must not move it). Token expiry is counted on it. */
  now(): number
  /** Milliseconds since the epoch; only used to share expiry times through a `TokenStore` and to read HTTP dates. */
  wallTime(): number
  /** Resolves after `ms` milliseconds, without keeping the process alive; rejects with `signal.reason` when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** The real clock: `performance.now()`, `Date.now()` and an unref'd `setTimeout`. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      // Node: a pending backoff must not keep an otherwise idle process alive. Browsers have no unref.
      ;(timer as { unref?: () => void }).unref?.()
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  },
}
