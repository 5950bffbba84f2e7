import { describe, expect, it } from 'vitest'
import { median, pairedRatios, spread } from '../src/stats.js'

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3)
  })

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN()
  })
})

describe('spread', () => {
  it('gives the median, minimum and maximum', () => {
    expect(spread([10, 30, 20])).toEqual({ median: 20, min: 10, max: 30 })
  })
})

describe('pairedRatios', () => {
  it('divides each round by the reference of the same round', () => {
    expect(pairedRatios([50, 90], [100, 100])).toEqual([0.5, 0.9])
  })

  it('skips rounds where either side is missing', () => {
    expect(pairedRatios([50, Number.NaN, 80], [100, 100])).toEqual([0.5])
  })
})
