import { describe, expect, it } from 'vitest'
import { backoffDelay, parseRetryAfter, retryPolicy } from './retry.js'

describe('retry timing', () => {
  it('uses full jitter under an exponential ceiling capped by maxDelay', () => {
    const policy = retryPolicy({ baseDelay: 100, maxDelay: 250 })
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(99)
    expect(backoffDelay(policy, 2, () => 0.999)).toBe(199)
    expect(backoffDelay(policy, 5, () => 0.999)).toBe(249)
    expect(backoffDelay(policy, 3, () => 0)).toBe(0)
  })

  it('reads Retry-After as delta-seconds or an HTTP date, and nothing else', () => {
    const now = Date.UTC(2030, 0, 1)
    expect(parseRetryAfter('2', now)).toBe(2000)
    expect(parseRetryAfter(new Date(now + 7000).toUTCString(), now)).toBe(7000)
    expect(parseRetryAfter(new Date(now - 7000).toUTCString(), now)).toBe(0)
    for (const invalid of ['-1', '1.5', 'soon', '', null]) expect(parseRetryAfter(invalid, now)).toBeUndefined()
  })
})
