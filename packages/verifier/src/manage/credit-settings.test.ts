import { describe, expect, it } from 'vitest'
import type { KeyCredits } from '../usage-limits/credits.js'
import { changedKeyCredits, checkCreditOptions, newKeyCredits } from './credit-settings.js'

const now = new Date('2030-01-15T10:00:00Z')
const tomorrow = new Date('2030-01-16T00:00:00Z')
const nextMonth = new Date('2030-02-01T00:00:00Z')
const daily = { amount: 100, interval: 'day' } as const
const monthly = { amount: 500, interval: 'month' } as const
const metered: KeyCredits = { remaining: 7, refill: daily, refillsAt: tomorrow }

describe('newKeyCredits', () => {
  it('meters a key only when credits or a refill are given; a refill alone starts full', () => {
    expect(newKeyCredits(checkCreditOptions({}), now)).toBeNull()
    expect(newKeyCredits(checkCreditOptions({ credits: 3 }), now)).toEqual({
      remaining: 3,
      refill: null,
      refillsAt: null,
    })
    expect(newKeyCredits(checkCreditOptions({ refill: monthly }), now)).toEqual({
      remaining: 500,
      refill: monthly,
      refillsAt: nextMonth,
    })
    expect(newKeyCredits(checkCreditOptions({ credits: 0, refill: daily }), now)).toEqual({
      remaining: 0,
      refill: daily,
      refillsAt: tomorrow,
    })
  })

  it('refuses a refill with credits: null', () => {
    expect(() => checkCreditOptions({ credits: null, refill: daily })).toThrow(/cannot have a refill/)
  })
})

describe('changedKeyCredits', () => {
  const change = (options: Parameters<typeof checkCreditOptions>[0], current: KeyCredits | null) =>
    changedKeyCredits(checkCreditOptions(options), current, now)

  it('changes nothing when neither is given, and stops metering with credits: null', () => {
    expect(change({}, metered)).toBeUndefined()
    expect(change({ credits: null }, metered)).toBeNull()
  })

  it('with credits alone, sets what is left and keeps the refill', () => {
    expect(change({ credits: 50 }, metered)).toEqual({ remaining: 50, refill: daily, refillsAt: tomorrow })
    expect(change({ credits: 50 }, null)).toEqual({ remaining: 50, refill: null, refillsAt: null })
  })

  it('with a refill alone, keeps what is left, or starts an unmetered key with the refill amount', () => {
    expect(change({ refill: monthly }, metered)).toEqual({ remaining: 7, refill: monthly, refillsAt: nextMonth })
    expect(change({ refill: monthly }, null)).toEqual({ remaining: 500, refill: monthly, refillsAt: nextMonth })
    expect(change({ refill: null }, metered)).toEqual({ remaining: 7, refill: null, refillsAt: null })
    expect(change({ refill: null }, null)).toBeUndefined()
  })

  it('counts the refill that fell due before keeping what is left', () => {
    const overdue: KeyCredits = { remaining: 2, refill: daily, refillsAt: new Date('2030-01-15T00:00:00Z') }
    expect(change({ refill: null }, overdue)).toEqual({ remaining: 100, refill: null, refillsAt: null })
    expect(change({ credits: 9 }, overdue)).toEqual({ remaining: 9, refill: daily, refillsAt: tomorrow })
  })

  it('with both, sets both', () => {
    expect(change({ credits: 1, refill: monthly }, metered)).toEqual({
      remaining: 1,
      refill: monthly,
      refillsAt: nextMonth,
    })
  })
})
