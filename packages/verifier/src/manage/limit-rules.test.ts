import { describe, expect, it } from 'vitest'
import { MAX_CREDITS } from '../usage-limits/credits.js'
import { checkCredits, checkRateLimits, checkRefill } from './limit-rules.js'

describe('checkRateLimits', () => {
  it('keeps valid limits in order, as plain copies', () => {
    const limits = [
      { count: 10, window: 1 },
      { count: 1000, window: 3600 },
    ]
    const checked = checkRateLimits(limits, 'key')
    expect(checked).toEqual(limits)
    expect(checked[0]).not.toBe(limits[0])
    expect(checkRateLimits([], 'account')).toEqual([])
  })

  it.each([
    [{ count: 0, window: 1 }],
    [{ count: 1.5, window: 1 }],
    [{ count: 1, window: 0 }],
    [{ count: 1, window: 31 * 86_400 + 1 }],
    [{ count: 1_000_000_001, window: 1 }],
    [null],
  ])('refuses %j, saying what a rate limit is', (limit) => {
    expect(() => checkRateLimits([limit as never], 'key')).toThrow(
      /^A rate limit must be a whole count from 1 to 1000000000 per a whole window of 1 to 2678400 seconds/,
    )
  })

  it('refuses more than eight, and two with one window, saying why', () => {
    const nine = Array.from({ length: 9 }, (_, index) => ({ count: 1, window: index + 1 }))
    expect(() => checkRateLimits(nine, 'account')).toThrow('An account may have at most 8 rate limits, not 9.')
    expect(() =>
      checkRateLimits(
        [
          { count: 10, window: 60 },
          { count: 5, window: 60 },
        ],
        'key',
      ),
    ).toThrow('Rate limits 10/1m and 5/1m have the same window; only the smaller count would ever apply, so keep one.')
  })
})

describe('checkCredits and checkRefill', () => {
  it('take whole numbers in range', () => {
    expect(checkCredits(0)).toBe(0)
    expect(checkCredits(MAX_CREDITS)).toBe(MAX_CREDITS)
    for (const bad of [-1, 1.5, MAX_CREDITS + 1, Number.NaN]) expect(() => checkCredits(bad)).toThrow(/whole number/)
    expect(checkRefill({ amount: 5, interval: 'month' })).toEqual({ amount: 5, interval: 'month' })
    expect(() => checkRefill({ amount: 0, interval: 'day' })).toThrow(/amount must be a whole number from 1/)
    expect(() => checkRefill({ amount: 5, interval: 'week' as never })).toThrow(/"day" or "month"/)
  })
})
